/* Kiosk: back to the start page after a while without a touch, and print a fresh ticket once.
   Without JavaScript a meta refresh in <noscript> does the going back (and reloads the start page for a
   fresh status); here a timer that every touch restarts takes its place, so it never fires while someone
   is typing on the keypad. */
(function () {
  var body = document.body;
  var home = body.getAttribute("data-kiosk-home") || "/kios";
  var idle = parseInt(body.getAttribute("data-kiosk-idle"), 10) || 0;
  var reload = parseInt(body.getAttribute("data-kiosk-reload"), 10) || 0;
  var seconds = idle || reload;
  var timer = null;

  function goHome() { window.location.replace(home); }
  function whenIdle() { if (idle) { goHome(); } else { window.location.reload(); } }
  function restart(after) {
    window.clearTimeout(timer);
    timer = window.setTimeout(whenIdle, after * 1000);
  }

  document.querySelectorAll("[data-js-only]").forEach(function (element) { element.hidden = false; });

  if (seconds > 0) {
    restart(seconds);
    ["pointerdown", "touchstart", "keydown"].forEach(function (name) {
      document.addEventListener(name, function () { restart(seconds); }, { passive: true, capture: true });
    });
  }

  // A new ticket prints once: the print flag leaves the address, so a reload does not print it again.
  function printTicket() {
    window.print();
    if (idle) { restart(Math.min(idle, 10)); }  // the number stays on screen a moment, then the next person
  }
  if (document.querySelector("[data-kiosk-print]")) {
    window.history.replaceState(null, "", window.location.pathname);
    if (document.readyState === "complete") { printTicket(); } else { window.addEventListener("load", printTicket); }
  }
  var again = document.querySelector("[data-kiosk-reprint]");
  if (again) { again.addEventListener("click", printTicket); }

  // A failed swap (an expired page, an error) starts over; a lost connection says so.
  document.addEventListener("htmx:responseError", goHome);
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("connection-error");
    if (box) { box.hidden = false; }
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("connection-error");
    if (box) { box.hidden = true; }
  });
})();
