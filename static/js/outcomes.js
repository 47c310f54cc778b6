// Outcomes pages. External file so the Content-Security-Policy can forbid inline script.

// Use calendar: open at today, so a mentee on a phone answers today without scrolling past the
// month (each day is answered on its own: no bulk fill, a blank day is never "No use").
(function scrollToToday() {
  const today = document.getElementById("cal-today");
  if (today && !window.location.hash) today.scrollIntoView({ block: "center" });
})();

// Cohort report charts, from the JSON the page embeds with json_script.
(function drawCharts() {
  const source = document.getElementById("chart-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colors = { mentored: "#0a58ca", comparison: "#b35900" };
  const arms = Object.keys(data.weekly);
  const weekly = document.getElementById("weekly-chart");
  if (weekly) {
    new window.Chart(weekly, {
      type: "line",
      data: {
        labels: data.week_labels,
        datasets: arms.map((arm) => ({
          label: data.arm_labels[arm],
          data: data.weekly[arm],
          borderColor: colors[arm],
          backgroundColor: colors[arm],
          spanGaps: false,
        })),
      },
      options: {
        animation: false,
        scales: { y: { beginAtZero: true, max: 7, title: { display: true, text: data.titles.weekly } } },
      },
    });
  }
  const pda = document.getElementById("pda-chart");
  if (pda) {
    new window.Chart(pda, {
      type: "bar",
      data: {
        labels: data.pda_labels,
        datasets: arms.map((arm) => ({
          label: data.arm_labels[arm],
          data: data.pda_bins[arm],
          backgroundColor: colors[arm],
        })),
      },
      options: {
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: data.titles.pda } } },
      },
    });
  }
})();

// Export job page: poll the job's progress until the file is ready, then show the link.
(function followExportJob() {
  const box = document.querySelector("[data-export-job]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const label = box.querySelector("[data-export-label]");
  const link = box.querySelector("[data-export-download]");
  const poll = () => {
    fetch(box.dataset.progressUrl, { credentials: "same-origin" })
      .then((response) => response.json())
      .then((job) => {
        bar.value = job.percent;
        bar.textContent = `${job.percent}%`;
        label.textContent = job.label;
        if (job.status === "done") link.classList.remove("d-none");
        else if (job.status !== "failed") window.setTimeout(poll, 1000);
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  poll();
})();
