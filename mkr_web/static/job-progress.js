// Polls a job's status URL and updates the progress bar until the job is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var message = document.getElementById("job-message");
  var download = document.getElementById("job-download");
  var failed = document.getElementById("job-failed");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.value = s.progress;
        bar.textContent = s.progress + "%";
        if (s.message) { message.textContent = s.message; }
        if (s.state === "done" && s.download) {
          download.href = s.download;
          download.classList.remove("d-none");
          message.textContent = "Готово.";
        } else if (s.state === "failed") {
          failed.classList.remove("d-none");
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
