// Charts: each <figure data-chart> holds its numbers as JSON in data-spec (the same numbers are in the
// table beside it) and is drawn with uPlot in the theme's colours, again on resize and on a
// change of light or dark, and when htmx brings a new one in.
(function () {
  "use strict";
  var PALETTE = ["--chart-1", "--chart-2", "--chart-3", "--chart-4"];

  function colour(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function barRange(u, min, max) {
    return [0, max > 0 ? max * 1.1 : 1];
  }

  function options(spec, width) {
    var text = colour("--pico-muted-color", "#888");
    var grid = colour("--pico-muted-border-color", "rgba(128,128,128,.2)");
    var axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    var series = [{}];
    spec.series.forEach(function (s, i) {
      var stroke = colour(PALETTE[i % PALETTE.length], "#3b82f6");
      // Buckets without a timed check are bridged (the incidents say when a service was down);
      // a series of few points shows them, or lone values would draw nothing.
      var seen = s.values.filter(function (v) { return v !== null; }).length;
      var one = { label: s.label, stroke: stroke, width: 2, spanGaps: true,
        points: { show: seen <= 30 } };
      if (spec.kind === "bars") {
        one.fill = stroke;
        one.paths = uPlot.paths.bars({ size: [0.7, 40] });
        one.points = { show: false };
      }
      series.push(one);
    });
    var yAxis = Object.assign({}, axis, {
      values: function (u, ticks) {
        return ticks.map(function (v) { return v + (spec.unit ? " " + spec.unit : ""); });
      },
      size: 60,
    });
    var xAxis = axis;
    var xScale = { time: spec.time !== false };
    if (spec.names) {
      // Named bars (time=False with labels for x): one tick per bar, labelled with its name.
      var names = spec.names;
      xScale = { time: false, range: [-0.5, names.length - 0.5] };
      xAxis = Object.assign({}, axis, {
        splits: function () { return names.map(function (_, i) { return i; }); },
        values: function (u, ticks) {
          return ticks.map(function (v) {
            var name = String(names[v] === undefined ? "" : names[v]);
            return name.length > 10 ? name.slice(0, 9) + "…" : name;
          });
        },
        rotate: names.length > 4 ? -45 : 0,
        size: names.length > 4 ? 70 : 30,
      });
    }
    return {
      width: width,
      height: spec.height || 180,
      series: series,
      legend: { show: spec.series.length > 1 },
      // Bars stand on zero, or a 300 MB bar beside a 600 MB one would look like nothing.
      scales: { x: xScale, y: { range: spec.range || (spec.kind === "bars" ? barRange : undefined) } },
      axes: [xAxis, yAxis],
      cursor: { drag: { x: false, y: false } },
    };
  }

  function draw(figure) {
    var canvas = figure.querySelector(".chart-canvas");
    if (!figure.dataset.spec || !canvas || typeof uPlot === "undefined") return;
    var spec;
    try { spec = JSON.parse(figure.dataset.spec); } catch (e) { return; }
    if (!spec.x || !spec.x.length) return;
    if (spec.time === false && spec.x.some(function (v) { return typeof v !== "number"; })) {
      spec.names = spec.x;
      spec.x = spec.x.map(function (_, i) { return i; });
    }
    canvas.textContent = "";
    var columns = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    var width = Math.max(200, canvas.clientWidth || figure.clientWidth || 300);
    figure._chart = new uPlot(options(spec, width), columns, canvas);
  }

  function drawAll(root) {
    (root || document).querySelectorAll("figure[data-chart]").forEach(function (figure) {
      if (figure._chart) { figure._chart.destroy(); figure._chart = null; }
      draw(figure);
    });
  }

  var pending = null;
  function soon() {
    clearTimeout(pending);
    pending = setTimeout(function () { drawAll(document); }, 150);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:load", function (event) {
    if (event.target.matches && event.target.matches("figure[data-chart]")) {
      drawAll(event.target.parentNode);
    } else if (event.target.querySelectorAll) {
      drawAll(event.target);
    }
  });
  window.addEventListener("resize", soon);
  if (window.matchMedia) {
    var scheme = window.matchMedia("(prefers-color-scheme: dark)");
    if (scheme.addEventListener) scheme.addEventListener("change", soon);
  }
})();
