/* Diary pages: mark comments in popovers, printing, class picker, the averages chart.
   No inline scripts (CSP): everything is wired here from data attributes. */
(function () {
  "use strict";

  function initPopovers() {
    if (!window.bootstrap) return;
    document.querySelectorAll('[data-bs-toggle="popover"]').forEach(function (el) {
      window.bootstrap.Popover.getOrCreateInstance(el);
    });
  }

  function initPrint() {
    document.querySelectorAll("[data-diary-print]").forEach(function (btn) {
      btn.addEventListener("click", function () { window.print(); });
    });
  }

  function initAutosubmit() {
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  function initSubjectRows() {
    // The subject's button toggles the dates (keyboard included); a click anywhere else on the
    // row presses it too, as a wide target for a finger.
    document.querySelectorAll("tr.subject-row").forEach(function (row) {
      var toggle = row.querySelector(".subject-toggle");
      if (!toggle) return;
      row.addEventListener("click", function (event) {
        if (!toggle.contains(event.target)) toggle.click();
      });
    });
  }

  function initChart() {
    var dataEl = document.getElementById("dynamics-data");
    var canvas = document.getElementById("dynamics-chart");
    if (!dataEl || !canvas || !window.Chart) return;
    // People who asked their system for less motion get the chart drawn at once.
    if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      window.Chart.defaults.animation = false;
    }
    var data = JSON.parse(dataEl.textContent);
    var select = document.getElementById("dynamics-subject");
    var chart = null;
    function draw(index) {
      var subject = data.subjects[index];
      if (!subject) return;
      var config = {
        type: "line",
        data: {
          labels: data.weeks,
          datasets: [
            { label: "Мой средний балл", data: subject.mine, borderColor: "#1d4ed8",
              backgroundColor: "#1d4ed8", spanGaps: true, tension: 0.25 },
            { label: "Класс", data: subject["class"], borderColor: "#f97316",
              backgroundColor: "#f97316", borderDash: [6, 4], spanGaps: true, tension: 0.25 }
          ]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { suggestedMin: 2, suggestedMax: 5, ticks: { stepSize: 0.5 } } },
          plugins: { legend: { position: "bottom" } }
        }
      };
      if (chart) chart.destroy();
      chart = new window.Chart(canvas, config);
    }
    draw(0);
    if (select) {
      select.addEventListener("change", function () { draw(parseInt(select.value, 10)); });
    }
  }

  function init() {
    initPopovers();
    initPrint();
    initAutosubmit();
    initSubjectRows();
    initChart();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
