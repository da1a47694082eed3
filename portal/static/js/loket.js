/* Loket's own few lines: show controls that need JavaScript, and the upload progress bar. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-js-only]").forEach(function (element) { element.hidden = false; });
});
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = event.target.querySelector && event.target.querySelector("progress");
  if (bar && event.detail.lengthComputable) {
    bar.hidden = false;
    bar.value = Math.round(event.detail.loaded / event.detail.total * 100);
  }
});
/* Sent, answered or not: the bar goes, so a full bar never stands for an upload still under way. */
document.addEventListener("htmx:afterRequest", function (event) {
  var bar = event.target.querySelector && event.target.querySelector("progress");
  if (bar) { bar.hidden = true; bar.value = 0; }
});
/* No answer: the connection; a 503: the server is busy or recovering (storage full, database restarting). */
["htmx:sendError", "htmx:responseError"].forEach(function (name) {
  document.addEventListener(name, function (event) {
    var busy = event.detail.xhr && event.detail.xhr.status === 503;
    var box = document.getElementById(busy ? "server-busy" : "connection-error");
    if (box) { box.hidden = false; }
  });
});
document.addEventListener("htmx:beforeRequest", function () {
  ["connection-error", "server-busy"].forEach(function (id) {
    var box = document.getElementById(id);
    if (box) { box.hidden = true; }
  });
});
