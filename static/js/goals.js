// Goals pages. Behaviour lives here, not inline, so the Content-Security-Policy can forbid
// inline script and style.
(() => {
  // Progress bars: the width comes from data-progress, because style="" attributes are blocked.
  document.querySelectorAll(".progress-bar[data-progress]").forEach((bar) => {
    const value = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0));
    bar.style.width = `${value}%`;
  });

  // Guided form: a done/not-done goal has no target or unit, so hide those fields.
  const form = document.getElementById("goal-form");
  if (form) {
    const measuredOnly = ["baseline", "target", "unit"]
      .map((name) => document.getElementById(`div_id_${name}`))
      .filter(Boolean);
    const sync = () => {
      const checked = form.querySelector("input[name=direction]:checked");
      const done = checked && checked.value === "done";
      measuredOnly.forEach((el) => { el.hidden = done; });
    };
    form.querySelectorAll("input[name=direction]").forEach((el) => el.addEventListener("change", sync));
    sync();
  }

  // History chart, from the JSON the page embeds (a data block, not executed script).
  const data = document.getElementById("goal-chart-data");
  const canvas = document.getElementById("goal-chart");
  if (data && canvas && window.Chart) {
    const chart = JSON.parse(data.textContent);
    const datasets = [{ label: chart.unit || chart.value_label || "Value", data: chart.values, borderColor: "#0d6efd", tension: 0.2 }];
    if (chart.target !== null) {
      datasets.push({
        label: chart.target_label || "Target",
        data: chart.labels.map(() => chart.target),
        borderColor: "#198754",
        borderDash: [6, 4],
        pointRadius: 0,
      });
    }
    new window.Chart(canvas, {
      type: "line",
      data: { labels: chart.labels, datasets },
      options: { responsive: true, animation: false, scales: { y: { beginAtZero: true } } },
    });
  }
})();
