/* Monthly line chart of one indicator; data comes from the json_script element "indicator-chart-data". */
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("indicator-chart");
    var source = document.getElementById("indicator-chart-data");
    if (!box || !source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    function numbers(list) {
      return list.map(function (v) { return v === null ? null : Number(v); });
    }
    var series = [{ name: data.actualName, type: "line", data: numbers(data.actual), connectNulls: true, symbolSize: 8 }];
    data.targets.forEach(function (t) {
      series.push({ name: t.name, type: "line", data: numbers(t.data), lineStyle: { type: "dashed" }, symbol: "none" });
    });
    var yAxis = [{ type: "value" }];
    var baseSeries = { name: data.baseName, type: "line", data: numbers(data.base), connectNulls: true, lineStyle: { type: "dotted" } };
    if (data.baseOnSecondAxis) {
      yAxis.push({ type: "value", position: "right" });
      baseSeries.yAxisIndex = 1;
    }
    series.push(baseSeries);
    var chart = window.echarts.init(box);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 50, top: 50, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: yAxis,
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
