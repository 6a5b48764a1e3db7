/* Charts of the project pages (ECharts). Data comes from json_script elements; no inline scripts. */
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function numbers(list) {
    return (list || []).map(function (v) { return v === null ? null : Number(v); });
  }
  function chart(boxId) {
    var box = document.getElementById(boxId);
    if (!box || !window.echarts) {
      return null;
    }
    var existing = window.echarts.getInstanceByDom(box);
    if (existing) {
      existing.dispose();
    }
    var c = window.echarts.init(box);
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }

  function investment() {
    var d = data("project-investment-data");
    var c = d && chart("project-investment-chart");
    if (!c) {
      return;
    }
    var series = [
      { name: d.monthName, type: "bar", data: numbers(d.month) },
      { name: d.ytdName, type: "line", data: numbers(d.ytd), connectNulls: true, symbolSize: 8 }
    ];
    if (d.plan.length) {
      series.push({ name: d.planName, type: "line", data: numbers(d.plan), lineStyle: { type: "dashed" }, symbol: "none" });
    }
    c.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 70, right: 30, top: 50, bottom: 30 },
      xAxis: { type: "category", data: d.months }, yAxis: { type: "value", name: "万元" }, series: series
    });
  }

  function funnel() {
    var d = data("project-funnel-data");
    var c = d && chart("project-funnel-chart");
    if (!c) {
      return;
    }
    c.setOption({
      tooltip: { trigger: "item" },
      series: [{ name: d.name, type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%",
                 label: { show: true, position: "inside" }, data: d.data }]
    });
  }

  function zones() {
    var d = data("project-zone-data");
    var c = d && chart("project-zone-chart");
    if (!c) {
      return;
    }
    c.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 80, right: 30, top: 50, bottom: 60 },
      xAxis: { type: "category", data: d.zones, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", name: "万元" },
      series: [{ name: d.planName, type: "bar", data: numbers(d.plan) }, { name: d.ytdName, type: "bar", data: numbers(d.ytd) }]
    });
  }

  function drawAll() {
    investment();
    funnel();
    zones();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  // htmx swaps the overview or the funnel: draw the new data.
  document.addEventListener("htmx:afterSwap", drawAll);
})();
