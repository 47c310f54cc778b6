// Cohort matching page: follow a background run's progress, then reload to show its plan.
(function followCohortRun() {
  const box = document.querySelector("[data-cohort-run]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const label = box.querySelector("[data-cohort-label]");
  const poll = () => {
    fetch(box.dataset.progressUrl, { credentials: "same-origin" })
      .then((response) => response.json())
      .then((run) => {
        bar.value = run.percent;
        bar.textContent = `${run.percent}%`;
        label.textContent = run.label;
        if (run.status !== box.dataset.status && (run.finished || run.status === "done")) {
          window.location.reload();
        } else if (run.status !== "failed") {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  poll();
})();
