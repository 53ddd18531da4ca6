// The dashboards' charts: each [data-chart] box is drawn from the page's JSON element
// (id "dashboard-charts"), never from inline script, as the site's CSP wants.
(function () {
  "use strict";
  var charts = {};

  function draw(box, spec) {
    if (!window.echarts || !spec) return;
    var chart = charts[box.getAttribute("data-chart")];
    if (!chart) {
      chart = window.echarts.init(box, null, { renderer: "svg" });
      charts[box.getAttribute("data-chart")] = chart;
    }
    var bar = spec.kind === "bar";
    var dark = document.body.classList.contains("screen");  // the big screen: white on red
    var ink = dark ? "#fff" : "#333";
    chart.setOption({
      textStyle: { color: ink },
      title: { text: spec.title, textStyle: { fontSize: dark ? 18 : 13, color: ink } },
      tooltip: { trigger: "axis" },
      legend: { show: spec.series.length > 1, bottom: 0, type: "scroll", textStyle: { color: ink } },
      grid: { left: 8, right: 16, top: 40, bottom: spec.series.length > 1 ? 40 : 8, containLabel: true },
      xAxis: bar ? { type: "value", minInterval: 1, axisLabel: { color: ink } } : { type: "category", data: spec.labels, axisLabel: { color: ink } },
      yAxis: bar ? { type: "category", inverse: true, data: spec.labels, axisLabel: { color: ink } } : { type: "value", minInterval: 1, axisLabel: { color: ink } },
      series: spec.series.map(function (s) {
        return { name: s.name, type: bar ? "bar" : "line", data: s.data, label: { show: bar, position: "right" } };
      })
    }, true);
  }

  function drawAll(data) {
    var boxes = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < boxes.length; i++) draw(boxes[i], data[boxes[i].getAttribute("data-chart")]);
  }

  function start() {
    var source = document.getElementById("dashboard-charts");
    if (source) drawAll(JSON.parse(source.textContent));
    window.addEventListener("resize", function () {
      for (var id in charts) charts[id].resize();
    });
    window.wulianDashboardCharts = drawAll;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
