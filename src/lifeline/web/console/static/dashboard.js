// Lifeline console, dashboard: draws the charts with Chart.js (installed by npm, served from
// /console/vendor/). Every chart has the same figures in a table beside it; without JavaScript
// (or without node_modules) the tables are the dashboard.
(function () {
  "use strict";

  // dark enough for text-level contrast on white, and told apart by order as well as hue
  var PALETTE = ["#0b4f9c", "#c43d00", "#0f6b2f", "#6b21a8", "#8a5a00", "#0e7490"];
  var drawn = [];

  function draw() {
    if (!window.Chart) return;
    drawn.forEach(function (chart) { chart.destroy(); });
    drawn = [];
    var block = document.getElementById("chart-data");
    if (!block) return;
    var data = JSON.parse(block.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = data[canvas.dataset.chart];
      if (!spec) return;
      if (spec.horizontal) {
        canvas.parentElement.style.height = Math.max(140, 30 * spec.labels.length + 70) + "px";
      }
      var value = { beginAtZero: true, title: { display: true, text: spec.axis }, ticks: { precision: 0 } };
      var category = { title: { display: !!spec.x, text: spec.x || "" } };
      drawn.push(new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map(function (set, i) {
            return { label: set.label, data: set.data, backgroundColor: PALETTE[i % PALETTE.length], borderWidth: 0 };
          })
        },
        options: {
          indexAxis: spec.horizontal ? "y" : "x",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: spec.horizontal ? { x: value, y: category } : { x: category, y: value },
          plugins: { legend: { position: "bottom" } }
        }
      }));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Chart) return;
    window.Chart.defaults.color = "#111";
    window.Chart.defaults.font.family = '"Noto Sans", "Noto Sans Devanagari", system-ui, sans-serif';
    window.Chart.defaults.font.size = 13;
    draw();
  });
  document.addEventListener("lifeline:refreshed", draw);
})();
