/* Loket's own few lines: show controls that need JavaScript, shrink photos before upload, the progress bar. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-js-only]").forEach(function (element) { element.hidden = false; });
});
/* A photo picked in an input with data-shrink="<long side> <least short side> <quality>" is shrunk on the
   phone to what the server keeps anyway, upright, as a JPEG, and put in the input in place of the original.
   A PDF, a file the browser cannot decode, an error, or a result no smaller: the original goes. The server
   checks whatever arrives. */
function shrinkPhoto(input) {
  var file = input.files[0], limits = input.getAttribute("data-shrink").split(" ").map(Number);
  if (!file || !window.createImageBitmap || !window.DataTransfer
      || !/^image\/(jpeg|png|webp|hei[cf])$/.test(file.type) && !/\.hei[cf]$/i.test(file.name)) {
    return Promise.resolve();
  }
  return createImageBitmap(file, {imageOrientation: "from-image"}).then(function (bitmap) {
    var long = Math.max(bitmap.width, bitmap.height), short = Math.min(bitmap.width, bitmap.height);
    var scale = Math.min(1, Math.max(limits[0] / long, limits[1] / short));
    var canvas = document.createElement("canvas"), context = canvas.getContext("2d");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    context.fillStyle = "#fff";  // transparency on white, as the server does
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", limits[2]); });
  }).then(function (blob) {
    if (blob && blob.size < file.size && input.files[0] === file) {
      var files = new DataTransfer();
      files.items.add(new File([blob], file.name.replace(/(\.\w*)?$/, ".jpg"), {type: "image/jpeg"}));
      input.files = files.files;
    }
  }).catch(function () {});
}
document.addEventListener("change", function (event) {
  var input = event.target;
  if (input.matches("input[type=file][data-shrink]")) {
    var job = input.shrinking = shrinkPhoto(input);
    job.then(function () { if (input.shrinking === job) { input.shrinking = null; } });
  }
});
/* Sent before the shrinking is done: wait for it (the bar runs meanwhile), then send again as pressed. */
document.addEventListener("submit", function (event) {
  var form = event.target, input = form.querySelector("input[data-shrink]"), pending = input && input.shrinking;
  if (pending && form.requestSubmit) {
    event.preventDefault();
    event.stopImmediatePropagation();
    input.shrinking = null;
    var bar = form.querySelector("progress");
    if (bar) { bar.hidden = false; bar.removeAttribute("value"); }
    pending.then(function () { setTimeout(function () { form.requestSubmit(event.submitter); }); });
  }
}, true);
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
