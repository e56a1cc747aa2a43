/* Oversight: the period selector submits on change; the chart reads its data from the
   json_script element named by the canvas (no inline scripts, CSP). The table under the
   chart holds the same numbers, for readers without the chart. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]")) { select.form.submit(); }
  });
  var canvas = document.getElementById("oversight-chart");
  if (!canvas || typeof window.Chart === "undefined") { return; }
  var source = document.getElementById(canvas.dataset.source);
  if (!source) { return; }
  var d = JSON.parse(source.textContent);
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) { window.Chart.defaults.animation = false; }
  var small = window.matchMedia("(max-width: 575.98px)").matches;
  var horizontal = small || d.labels.length > 8;
  var box = canvas.parentElement;
  box.style.height = (horizontal ? Math.max(220, d.labels.length * (small ? 38 : 30) + 60) : 300) + "px";
  function shortLabel(value) {
    var label = this.getLabelForValue(value);
    var limit = small ? 16 : 28;
    return label.length > limit ? label.slice(0, limit - 1) + "…" : label;
  }
  var valueAxis = { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } };
  var labelAxis = { ticks: { autoSkip: false, font: { size: small ? 10 : 12 }, callback: shortLabel } };
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: d.labels,
      datasets: [
        { label: "Успеваемость, %", data: d.success, backgroundColor: "#3b7ddd", maxBarThickness: 26 },
        { label: "Качество, %", data: d.quality, backgroundColor: "#20c997", maxBarThickness: 26 }
      ]
    },
    options: {
      maintainAspectRatio: false,
      indexAxis: horizontal ? "y" : "x",
      scales: horizontal ? { x: valueAxis, y: labelAxis } : { y: valueAxis, x: labelAxis },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
