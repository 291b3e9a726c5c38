// Draws each dashboard chart from the numbers the page already shows in its table.
// Chart.js is served from our own origin (node_modules → static/vendor/chartjs).
// Colours come by meaning from the CSS variables --chart-<tone> (dixian.css, defined once):
// the page says which tone each row or series takes (data-tones, and "tones" in the data).
// A click on a bar, a segment or a point opens the list behind it ("links" in the data).
(function () {
  "use strict";

  function colour(tone) {
    const value = getComputedStyle(document.documentElement).getPropertyValue("--chart-" + tone).trim();
    return value || getComputedStyle(document.documentElement).getPropertyValue("--chart-muted").trim();
  }

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
      onClick: function (_event, elements) {
        if (!elements.length) { return; }
        const row = spec.links[elements[0].index] || [];
        const link = row[elements[0].datasetIndex];
        if (link) { window.location.assign(link); }
      },
      onHover: function (event, elements) {
        const linked = elements.length && (spec.links[elements[0].index] || [])[elements[0].datasetIndex];
        event.native.target.style.cursor = linked ? "pointer" : "default";
      },
    };
  }

  function draw(canvas) {
    const data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    const type = data.kind === "hbar" ? "bar" : data.kind;
    const colours = data.tones.map(colour);
    data.datasets.forEach(function (dataset, i) {
      const fill = data.toneBy === "row" ? colours : colours[i];
      dataset.backgroundColor = fill;
      dataset.borderColor = type === "line" ? fill : (type === "doughnut" ? "#fff" : fill);
      dataset.pointBackgroundColor = fill;
      dataset.tension = 0.2;
    });
    new window.Chart(canvas, { type: type, data: { labels: data.labels, datasets: data.datasets }, options: options(data) });
  }

  // The period filter: a chosen period shows at once; a month typed in means "months chosen".
  function periodFilter(form) {
    form.querySelectorAll("input[name=period]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio.value !== "range") { form.requestSubmit(); }
      });
    });
    form.querySelectorAll("input[type=month]").forEach(function (input) {
      input.addEventListener("change", function () {
        const range = form.querySelector("input[name=period][value=range]");
        if (range) { range.checked = true; }
      });
    });
  }

  function start() {
    document.querySelectorAll("form.period-filter").forEach(periodFilter);
    if (!window.Chart) { return; }
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
