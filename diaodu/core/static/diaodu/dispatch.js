/* Dispatch sheet: 本月完成投资 and 累计完成投资 kept consistent while typing (累计 = 上月累计 + 本月).
   The server checks the same rule (diaodu.projects.domain.reconcile_month_ytd). */
(function () {
  "use strict";
  function parse(text) {
    var v = String(text || "").replace(/,/g, "").trim();
    return v === "" || isNaN(Number(v)) ? null : Number(v);
  }
  function fmt(n) {
    return String(Math.round(n * 100) / 100);
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    var kind = input.getAttribute && input.getAttribute("data-dispatch");
    if (!kind) {
      return;
    }
    var row = input.closest("[data-prev-ytd]");
    var prev = parse(row.getAttribute("data-prev-ytd")) || 0;
    var other = row.querySelector("[data-dispatch=" + (kind === "month" ? "ytd" : "month") + "]");
    var value = parse(input.value);
    if (!other) {
      return;
    }
    if (value === null) {
      other.value = "";
    } else {
      other.value = fmt(kind === "month" ? prev + value : value - prev);
    }
  });
})();
