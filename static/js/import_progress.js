// Follows a job on its page (an Excel import, a file being made): updates the progress bar and
// reloads when the job ends.
// Without JavaScript the page still works: its "Reload" link shows the latest state.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box || !window.fetch) return;
  var bar = box.querySelector("progress");
  var label = document.querySelector("[data-job-label]");

  function show(job) {
    if (job.total) {
      bar.max = job.total;
      bar.value = job.done;
    }
    bar.textContent = job.percent + "%";
    if (label) label.textContent = job.label;
  }

  function poll(delay) {
    window.setTimeout(function () {
      fetch(box.getAttribute("data-job-status-url"), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (job) {
          show(job);
          if (job.finished) window.location.reload();
          else poll(1500);
        })
        .catch(function () {
          poll(5000); // a dropped connection: try again a little later
        });
    }, delay);
  }

  poll(1000);
})();
