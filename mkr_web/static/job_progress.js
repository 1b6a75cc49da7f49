// Polls a background job's JSON (data-poll-url) and updates its progress bar; shows the
// download link when the job is done. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var bar = document.getElementById("job-progress");
  var message = document.getElementById("job-message");
  var link = document.getElementById("job-download");
  var failed = document.getElementById("job-failed");

  function show(data) {
    bar.value = data.progress;
    bar.textContent = data.progress + "%";
    if (data.message) { message.textContent = data.message; }
    if (data.download) {
      link.href = data.download;
      link.classList.remove("d-none");
    }
    if (data.state === "failed") { failed.classList.remove("d-none"); }
    return data.state === "done" || data.state === "failed";
  }

  function poll() {
    fetch(box.dataset.pollUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) { if (!show(data)) { setTimeout(poll, 1000); } })
      .catch(function () { setTimeout(poll, 3000); });
  }

  if (box.dataset.state !== "done" && box.dataset.state !== "failed") { poll(); }
}());
