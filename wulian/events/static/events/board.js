// The live board: polls the event's small JSON every second (304 when nothing changed), redraws
// the tiles, counts, ticker and chart, and keeps polling through a server restart.
(function () {
  "use strict";
  var body = document.body;
  var source = body.getAttribute("data-source");
  var status = document.getElementById("board-status");
  var version = "";
  var chart = null;
  var failures = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawChart(kinds) {
    if (!window.echarts) return;
    var box = document.getElementById("board-chart");
    if (!chart) chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animationDuration: 500,
      textStyle: { color: "#fff", fontSize: 14 },
      grid: { left: 8, right: 24, top: 4, bottom: 4, containLabel: true },
      legend: { show: false },  // the page's own legend, above the chart, says what each bar is
      xAxis: { type: "value", minInterval: 1, axisLabel: { color: "#fff" }, splitLine: { lineStyle: { color: "rgba(255,255,255,.2)" } } },
      yAxis: { type: "category", inverse: true, data: kinds.map(function (k) { return k.label; }), axisLabel: { color: "#fff", fontSize: 14 } },
      series: [
        { name: status.getAttribute("data-claimants"), type: "bar", data: kinds.map(function (k) { return k.claimants; }), itemStyle: { color: "#ffd54f" }, label: { show: true, position: "right", color: "#fff" } },
        { name: status.getAttribute("data-claims"), type: "bar", data: kinds.map(function (k) { return k.claims; }), itemStyle: { color: "#ff8a65" }, label: { show: true, position: "right", color: "#fff" } }
      ]
    });
  }

  function render(data) {
    document.getElementById("board-title").textContent = data.event.title;
    document.getElementById("board-claimed").textContent = data.claimed;
    document.getElementById("board-total").textContent = data.total;
    var tiles = document.getElementById("board-tiles");
    var existing = {};
    Array.prototype.forEach.call(tiles.children, function (node) { existing[node.getAttribute("data-need")] = node; });
    var order = [];
    data.tiles.forEach(function (tile) {
      var node = existing[String(tile.id)];
      if (!node) {
        node = el("article", "tile");
        node.setAttribute("data-need", tile.id);
        node.appendChild(el("h2"));
        node.appendChild(el("p"));
      }
      node.querySelector("h2").textContent = tile.title;
      node.querySelector("p").textContent = tile.raiser;
      node.className = "tile " + tile.state;
      node.setAttribute("data-state", tile.state);
      order.push(node);
    });
    tiles.replaceChildren.apply(tiles, order);
    body.classList.toggle("few", order.length <= 12);
    var ticker = document.getElementById("board-ticker");
    var items = data.ticker.map(function (item) {
      var li = el("li");
      li.appendChild(el("strong", "", item.claimant));
      li.appendChild(document.createTextNode(" " + status.getAttribute("data-claimed-word") + " " + item.need));
      return li;
    });
    if (!items.length) items = [el("li", "empty", status.getAttribute("data-waiting"))];
    ticker.replaceChildren.apply(ticker, items);
    drawChart(data.kinds);
  }

  function poll() {
    var headers = version ? { "If-None-Match": '"' + version + '"' } : {};
    fetch(source, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        failures = 0;
        status.textContent = "";
        if (response.status === 304) return null;
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (data && data.version !== version) {
          version = data.version;
          body.setAttribute("data-version", version);
          render(data);
        }
      })
      .catch(function () {
        failures += 1;
        if (failures > 1) status.textContent = status.getAttribute("data-offline");
      })
      .finally(function () { window.setTimeout(poll, failures > 5 ? 3000 : 1000); });
  }

  window.addEventListener("resize", function () { if (chart) chart.resize(); });
  document.addEventListener("DOMContentLoaded", function () {
    var kinds = JSON.parse(document.getElementById("board-kinds").textContent);
    drawChart(kinds);
    poll();
  });
})();
