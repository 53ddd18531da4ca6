// The big screen refreshes itself: every minute it fetches screen.json, rewrites the numbers
// and redraws the charts; when the server is away it keeps the last figures and tries again.
(function () {
  "use strict";
  var source = document.body.getAttribute("data-source");
  var status = document.getElementById("screen-status");

  function render(data) {
    document.getElementById("screen-month").textContent = data.month;
    var figures = document.querySelectorAll("[data-key]");
    for (var i = 0; i < figures.length; i++) {
      var key = figures[i].getAttribute("data-key");
      if (key in data.numbers) figures[i].textContent = data.numbers[key];
    }
    if (window.wulianDashboardCharts) window.wulianDashboardCharts(data.charts);
    status.textContent = new Date().toLocaleTimeString();
  }

  function poll() {
    fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(render)
      .catch(function () { status.textContent = "…"; })
      .then(function () { window.setTimeout(poll, 60000); });
  }

  window.setTimeout(poll, 60000);
})();
