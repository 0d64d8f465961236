// The upload's progress bar (a file, not an inline handler: the pages' CSP allows scripts from 'self' only).
if (!window.sdUploadProgress) {
  window.sdUploadProgress = true;
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = document.getElementById("upload-progress");
    if (bar && event.detail.total) {
      bar.value = 100 * event.detail.loaded / event.detail.total;
    }
  });
}
