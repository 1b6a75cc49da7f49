/* Progress of a background job (a generic poller: any page may reuse it).
 *
 * Markup: an element with data-job-progress and data-status-url="<url returning JSON
 * {state, state_title, progress, message, download_url}> (web/jobs.py), holding [role=progressbar] with a
 * [data-job-bar] inside, and optionally [data-job-message], [data-job-state],
 * [data-job-download] (a link shown when done) and [data-job-failed] (shown on failure).
 * Polls every data-interval ms (default 1000) until the job is done or failed.
 */
(function () {
  "use strict";

  function start(root) {
    var url = root.getAttribute("data-status-url");
    var interval = parseInt(root.getAttribute("data-interval") || "1000", 10);
    var box = root.querySelector("[role=progressbar]");
    var bar = root.querySelector("[data-job-bar]");
    var message = root.querySelector("[data-job-message]");
    var stateTitle = root.querySelector("[data-job-state]");
    var link = root.querySelector("[data-job-download]");
    var failed = root.querySelector("[data-job-failed]");
    var errors = 0;

    function show(status) {
      var percent = Math.max(0, Math.min(100, parseInt(status.progress, 10) || 0));
      if (bar) {
        bar.style.width = percent + "%";
        bar.textContent = percent + "%";
      }
      if (box) box.setAttribute("aria-valuenow", String(percent));
      if (message) message.textContent = status.message || "";
      if (stateTitle) stateTitle.textContent = status.state_title || status.state;
      root.setAttribute("data-state", status.state);
      var download = status.download_url;
      if (status.state === "done" && download) {
        if (link) {
          link.setAttribute("href", download);
          link.classList.remove("d-none");
        }
        return true;
      }
      if (status.state === "failed") {
        if (failed) failed.classList.remove("d-none");
        return true;
      }
      return false;
    }

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (status) {
          errors = 0;
          if (!show(status)) window.setTimeout(poll, interval);
        })
        .catch(function () {
          errors += 1;
          if (errors < 20) window.setTimeout(poll, interval * 3);
        });
    }

    poll();
  }

  document.querySelectorAll("[data-job-progress]").forEach(start);
})();
