// Draws each dashboard chart from the numbers the page already shows in its table.
// Chart.js is served from our own origin (node_modules → static/vendor/chartjs).
(function () {
  "use strict";
  const palette = ["#b5472b", "#2f6f9f", "#d8a13a", "#5a8f3c", "#7a5195", "#3aa6a0", "#9b9b9b"];

  function options(spec) {
    const horizontal = spec.kind === "hbar";
    const scales = spec.kind === "doughnut" ? {} : {
      x: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } },
      y: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } },
    };
    return {
      indexAxis: horizontal ? "y" : "x",
      animation: false,  // printing and screenshots must see the finished chart
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: spec.datasets.length > 1 || spec.kind === "doughnut", position: "bottom" } },
      scales: scales,
    };
  }

  function draw(canvas) {
    const data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    const type = data.kind === "hbar" ? "bar" : data.kind;
    const single = data.datasets.length === 1;
    data.datasets.forEach(function (dataset, i) {
      const colour = palette[i % palette.length];
      dataset.backgroundColor = type === "doughnut" || (single && type === "bar" && data.kind !== "hbar")
        ? data.labels.map(function (_, j) { return palette[j % palette.length]; })
        : colour;
      dataset.borderColor = type === "line" ? colour : "#fff";
      dataset.tension = 0.2;
    });
    new window.Chart(canvas, { type: type, data: { labels: data.labels, datasets: data.datasets }, options: options(data) });
  }

  function start() {
    document.fonts.ready.then(function () {
      window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      document.querySelectorAll("canvas[data-chart]").forEach(draw);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
