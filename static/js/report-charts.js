/* Report pages: charts drawn with the vendored Chart.js, and the period selector.
 *
 * The chart data comes from <script type="application/json" id="report-chart-data"> (Django's
 * json_script), which the browser does not execute, so the CSP (script-src 'self') allows it.
 * Each chart's figure is hidden in the HTML and shown here once drawn: without JavaScript, or
 * without Chart.js, the page shows the tables, which carry the same numbers.
 */
(function () {
  "use strict";

  var COLORS = ["#a50f15", "#1e3a8a", "#8a5a00", "#1e6b34", "#581c87", "#525252"];
  var FONT = 'system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

  /* Show only the fields the chosen kind of period uses; a field in error stays visible. */
  function enhancePeriodForm() {
    var form = document.querySelector("[data-period-form]");
    if (!form) {
      return;
    }
    var kind = form.querySelector("select[name=period]");
    var help = form.querySelector("[data-period-help]");
    if (!kind) {
      return;
    }
    function update() {
      var chosen = kind.value || "year";
      form.querySelectorAll("[data-period-for]").forEach(function (field) {
        var kinds = field.getAttribute("data-period-for").split(" ");
        field.hidden = kinds.indexOf(chosen) === -1 && !field.classList.contains("field-invalid");
      });
      if (help) {
        help.hidden = true;
      }
    }
    kind.addEventListener("change", update);
    update();
  }

  function formatValue(value, percent) {
    if (value === null || value === undefined) {
      return "—";
    }
    return percent ? value.toFixed(1) + "%" : String(value);
  }

  function drawChart(Chart, spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) {
      return;
    }
    var figure = canvas.closest("figure");
    if (figure) {
      figure.hidden = false;
    }
    var horizontal = spec.type === "hbar";
    if (horizontal) {
      // One bar per category: the box grows with them (CSSOM, which the CSP allows).
      canvas.parentNode.style.height = Math.max(160, spec.labels.length * 30 + 48) + "px";
    }
    var valueAxis = { beginAtZero: true, ticks: { precision: 0 } };
    if (spec.percent) {
      valueAxis.max = 100;
      valueAxis.ticks = {
        callback: function (value) {
          return value + "%";
        }
      };
    }
    var datasets = spec.series.map(function (series, index) {
      var color = COLORS[index % COLORS.length];
      return {
        label: series.label,
        data: series.values,
        backgroundColor: color,
        borderColor: color,
        borderWidth: spec.type === "line" ? 2 : 0,
        pointRadius: spec.type === "line" ? 3 : 0,
        spanGaps: true
      };
    });
    new Chart(canvas, {
      type: horizontal ? "bar" : spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: horizontal ? { x: valueAxis } : { y: valueAxis },
        plugins: {
          legend: { display: !horizontal, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = horizontal ? context.parsed.x : context.parsed.y;
                return context.dataset.label + "：" + formatValue(value, spec.percent);
              }
            }
          }
        }
      }
    });
  }

  function drawCharts() {
    var source = document.getElementById("report-chart-data");
    var Chart = window.Chart;
    if (!source || !Chart) {
      return;
    }
    Chart.defaults.font.family = FONT;
    Chart.defaults.color = "#1a1a1a";
    JSON.parse(source.textContent).forEach(function (spec) {
      drawChart(Chart, spec);
    });
  }

  enhancePeriodForm();
  drawCharts();
})();
