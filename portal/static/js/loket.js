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
["htmx:sendError", "htmx:responseError"].forEach(function (name) {
  document.addEventListener(name, function () {
    var box = document.getElementById("connection-error");
    if (box) { box.hidden = false; }
  });
});
document.addEventListener("htmx:beforeRequest", function () {
  var box = document.getElementById("connection-error");
  if (box) { box.hidden = true; }
});
