/* Portfolio charts: every <canvas data-chart="…" data-source="id"> reads its data from the
   json_script element with that id. No inline scripts (CSP). */
(function () {
  "use strict";
  // Keep the current section's pill in view on a narrow screen.
  var active = document.querySelector(".portfolio-nav .active, .sphere-nav .active");
  if (active && active.scrollIntoView) { active.scrollIntoView({ block: "nearest", inline: "center" }); }
  // Without htmx a changed round cell still saves: submit its form.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!window.htmx && select.matches && select.matches("select[data-autosubmit]")) { select.form.submit(); }
  });
  if (typeof window.Chart === "undefined") { return; }
  // People who asked their system for less motion get the charts drawn at once.
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) { window.Chart.defaults.animation = false; }
  var palette = ["#3b7ddd", "#20c997", "#f59f00", "#e64980", "#7950f2", "#12b886", "#fd7e14", "#868e96", "#15aabf"];
  var small = window.matchMedia("(max-width: 575.98px)").matches;

  // Long subject names are cut on the axis; the tooltip and the list below keep them whole.
  function shortLabel(value) {
    var label = this.getLabelForValue(value);
    var limit = small ? 14 : 26;
    return label.length > limit ? label.slice(0, limit - 1) + "…" : label;
  }

  function data(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  var builders = {
    doughnut: function (d) {
      return {
        type: "doughnut",
        data: { labels: d.labels, datasets: [{ data: d.counts, backgroundColor: palette }] },
        options: { maintainAspectRatio: false, plugins: { legend: { position: small ? "bottom" : "right" },
          tooltip: { callbacks: { afterLabel: function (ctx) { return "Баллы: " + d.points[ctx.dataIndex]; } } } } }
      };
    },
    averages: function (d) {
      return {
        type: "bar",
        data: { labels: d.labels, datasets: [{ label: "Средний балл", data: d.values, backgroundColor: "#3b7ddd", maxBarThickness: 22 }] },
        options: { maintainAspectRatio: false, indexAxis: "y",
          scales: { x: { min: 0, max: 5, ticks: { stepSize: 1 } },
                    y: { ticks: { autoSkip: false, font: { size: small ? 10 : 12 }, callback: shortLabel } } },
          plugins: { legend: { display: false } } }
      };
    },
    tests: function (d) {
      // Marks of tests per subject, stacked: «5» green … «2» red, as the diary colours them.
      var colours = { "5": "#20c997", "4": "#3b7ddd", "3": "#f59f00", "2": "#e64980" };
      return {
        type: "bar",
        data: { labels: d.labels, datasets: d.series.map(function (s) {
          return { label: "«" + s.label + "»", data: s.data, backgroundColor: colours[s.label], maxBarThickness: 22 };
        }) },
        options: { maintainAspectRatio: false, indexAxis: "y",
          scales: { x: { stacked: true, ticks: { stepSize: 1, precision: 0 } },
                    y: { stacked: true, ticks: { autoSkip: false, font: { size: small ? 10 : 12 }, callback: shortLabel } } },
          plugins: { legend: { position: "bottom" } } }
      };
    },
    regional: function (d) {
      return {
        type: "bar",
        data: { labels: d.labels, datasets: [{ label: "% выполнения", data: d.values, backgroundColor: "#20c997", maxBarThickness: 48 }] },
        options: { maintainAspectRatio: false, indexAxis: small ? "y" : "x",
          scales: small ? { x: { min: 0, max: 100 }, y: { ticks: { callback: shortLabel, font: { size: 10 } } } } : { y: { min: 0, max: 100 } },
          plugins: { legend: { display: false } } }
      };
    }
  };

  function initCharts(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var build = builders[canvas.dataset.chart];
      var d = data(canvas);
      if (build && d && !window.Chart.getChart(canvas)) { new window.Chart(canvas, build(d)); }
    });
  }
  initCharts(document);
  // A round cell saved in place swaps the rating block: draw its chart again.
  document.body.addEventListener("htmx:afterSwap", function (event) { initCharts(event.detail.target.ownerDocument); });
})();
