// termsheet pages work without this script; it only refreshes a running job's progress in place.
(function () {
  "use strict";
  function poll(box) {
    var url = box.getAttribute("data-job");
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        var bar = box.querySelector("progress");
        var note = box.querySelector(".progress-note");
        var pct = Math.round(100 * job.progress.fraction);
        if (bar) { bar.value = pct; }
        if (note) { note.textContent = job.status + " · " + pct + "% " + (job.progress.note || ""); }
        if (job.status === "done" || job.status === "failed") { window.location.reload(); }
        else { window.setTimeout(function () { poll(box); }, 500); }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 2000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-job]");
    for (var i = 0; i < boxes.length; i++) { poll(boxes[i]); }
  });
})();
