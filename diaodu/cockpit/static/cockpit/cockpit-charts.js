/* Cockpit charts (ECharts): the key-project funnel, investment plan vs actual by month, and a project's months.
   Data comes from data-chart attributes (JSON); no inline scripts. Charts are drawn again after an htmx swap (the
   month/unit filter and the big screen's polling replace the markup). */
(function () {
  "use strict";
  var dark = document.body && document.body.classList.contains("screen");
  var text = dark ? "#dbe4f0" : "#333";
  function data(boxId) {
    var el = document.getElementById(boxId);
    return el && el.dataset.chart ? JSON.parse(el.dataset.chart) : null;
  }
  function numbers(list) {
    return (list || []).map(function (v) { return v === null || v === "" ? null : Number(v); });
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
    return window.echarts.init(box, null, { renderer: "canvas" });
  }
  var axis = { axisLabel: { color: text }, axisLine: { lineStyle: { color: text } } };

  function funnel() {
    var d = data("funnel-chart");
    var c = d && chart("funnel-chart");
    if (!c) {
      return;
    }
    c.setOption({
      animation: !dark,
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 40, top: 10, bottom: 24 },
      xAxis: Object.assign({ type: "value", minInterval: 1 }, axis),
      yAxis: Object.assign({ type: "category", inverse: true, data: d.stages }, axis),
      series: [{ type: "bar", data: numbers(d.counts), label: { show: true, position: "right", color: text },
                 itemStyle: { color: "#4299e1" } }]
    });
  }
  function lines(boxId) {
    var d = data(boxId);
    var c = d && chart(boxId);
    if (!c) {
      return;
    }
    c.setOption({
      animation: !dark,
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { color: text } },
      grid: { left: 60, right: 30, top: 36, bottom: 24 },
      xAxis: Object.assign({ type: "category", data: d.months }, axis),
      yAxis: Object.assign({ type: "value" }, axis),
      series: [
        { name: d.planName, type: "line", data: numbers(d.plan), lineStyle: { type: "dashed" }, symbol: "none" },
        { name: d.actualName, type: "bar", data: numbers(d.actual), itemStyle: { color: "#2fb344" } }
      ]
    });
  }
  function drawAll() {
    funnel();
    lines("investment-chart");
    lines("project-chart");
  }
  function start() {
    drawAll();
    document.body.addEventListener("htmx:load", drawAll);  // fires on the new content (outerHTML swaps too)
    window.addEventListener("resize", function () {
      ["funnel-chart", "investment-chart", "project-chart"].forEach(function (id) {
        var box = document.getElementById(id);
        var c = box && window.echarts && window.echarts.getInstanceByDom(box);
        if (c) {
          c.resize();
        }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
