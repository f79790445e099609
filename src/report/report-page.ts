/** The report page's styles (inlined: the page fetches nothing). */
export const REPORT_STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; }
h1 { font-size: 20px; margin: 8px 0 12px; }
h2 { font-size: 16px; margin: 28px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 4px; font-family: ui-monospace, monospace; }
.note { color: #666; margin: 2px 0 8px; font-size: 13px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
.facts dt { color: #666; }
.facts dd { margin: 0; }
.chart { position: relative; height: 420px; }
.chart.short { height: 260px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f6f6f8; position: sticky; top: 0; cursor: pointer; user-select: none; white-space: nowrap; }
th[aria-sort="ascending"]::after { content: " \\25B2"; }
th[aria-sort="descending"]::after { content: " \\25BC"; }
#trials td:nth-child(8) { font-family: ui-monospace, monospace; font-size: 11.5px; word-break: break-word; }
tr.pareto td:first-child { border-left: 3px solid #d95f02; }
tr.pick { background: #eaf7f1; }
pre { background: #f6f6f8; padding: 10px 12px; overflow-x: auto; font-size: 12.5px; }
.ci { color: #666; }
`;

/**
 * The report page's script: draws the two charts from the embedded data with Chart.js (error bars
 * by a small plugin of its own), and sorts the trial table. Plain browser JavaScript.
 */
export const REPORT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  function usd(x) {
    if (x === 0) return '$0';
    var a = Math.abs(x);
    return '$' + (a >= 1 ? x.toFixed(2) : a >= 0.01 ? x.toFixed(4) : x.toPrecision(3));
  }
  function sortTable(table, col, th) {
    var type = th.getAttribute('data-type');
    var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    var ths = table.querySelectorAll('th');
    for (var i = 0; i < ths.length; i++) ths[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var key = function (r) { return r.cells[col].getAttribute('data-v'); };
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var c;
      if (type === 'num') {
        // rows without a value go last either way
        if (x === '' || y === '') return (x === '') - (y === '');
        c = Number(x) - Number(y);
      } else c = x < y ? -1 : x > y ? 1 : 0;
      if (c === 0) c = Number(a.getAttribute('data-trial')) - Number(b.getAttribute('data-trial'));
      return dir === 'ascending' ? c : -c;
    });
    for (var j = 0; j < rows.length; j++) body.appendChild(rows[j]);
  }
  var tables = document.querySelectorAll('table.sortable');
  for (var t = 0; t < tables.length; t++) {
    (function (table) {
      var ths = table.querySelectorAll('th');
      for (var i = 0; i < ths.length; i++) {
        (function (th, col) {
          th.addEventListener('click', function () { sortTable(table, col, th); });
          th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortTable(table, col, th); } });
        })(ths[i], i);
      }
    })(tables[t]);
  }
  if (!data || typeof Chart === 'undefined') return;

  var ORANGE = '#d95f02', BLUE = 'rgba(70, 90, 170, 0.6)', GREEN = '#1b9e77', PINK = '#e7298a', GREY = '#777';
  var pts = data.points;
  var errorBars = {
    id: 'errorBars',
    afterDatasetsDraw: function (chart) {
      var meta = chart.getDatasetMeta(0);
      var y = chart.scales.y, ctx = chart.ctx;
      ctx.save();
      ctx.lineWidth = 1;
      meta.data.forEach(function (el, i) {
        var p = chart.data.datasets[0].data[i];
        if (p.low === null || p.high === null) return;
        ctx.strokeStyle = p.pareto ? ORANGE : 'rgba(70, 90, 170, 0.35)';
        var y1 = y.getPixelForValue(p.low), y2 = y.getPixelForValue(p.high);
        ctx.beginPath();
        ctx.moveTo(el.x, y1); ctx.lineTo(el.x, y2);
        ctx.moveTo(el.x - 3, y1); ctx.lineTo(el.x + 3, y1);
        ctx.moveTo(el.x - 3, y2); ctx.lineTo(el.x + 3, y2);
        ctx.stroke();
      });
      ctx.restore();
    }
  };
  var lows = pts.map(function (p) { return p.low === null ? p.metric : p.low; });
  var highs = pts.map(function (p) { return p.high === null ? p.metric : p.high; });
  var yMin = Math.min.apply(null, lows.concat(pts.map(function (p) { return p.metric; })));
  var yMax = Math.max.apply(null, highs.concat(pts.map(function (p) { return p.metric; })));
  var allPositive = pts.length > 0 && pts.every(function (p) { return p.cost > 0; });
  var front = pts.filter(function (p) { return p.pareto; }).sort(function (a, b) { return a.cost - b.cost; });
  var pick = pts.filter(function (p) { return p.pick; });
  var xy = function (p) { return { x: p.cost, y: p.metric, trial: p.trial, low: p.low, high: p.high, pareto: p.pareto, rows: p.rows, state: p.state }; };
  var datasets = [
    { label: 'trials', data: pts.map(xy), pointRadius: pts.map(function (p) { return p.pareto ? 5 : 3.5; }),
      backgroundColor: pts.map(function (p) { return p.pareto ? ORANGE : BLUE; }), borderColor: pts.map(function (p) { return p.pareto ? ORANGE : BLUE; }) },
    { label: 'Pareto front', data: front.map(xy), showLine: true, borderColor: ORANGE, borderWidth: 1.5, pointRadius: 0, pointHitRadius: 0, fill: false },
    { label: 'pick', data: pick.map(xy), pointStyle: 'star', pointRadius: 12, borderColor: GREEN, backgroundColor: GREEN, borderWidth: 2 }
  ];
  if (data.inferenceBudget !== null) {
    datasets.push({ label: 'inference budget ' + usd(data.inferenceBudget), data: [{ x: data.inferenceBudget, y: yMin }, { x: data.inferenceBudget, y: yMax }],
      showLine: true, borderColor: PINK, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointHitRadius: 0 });
  }
  new Chart(document.getElementById('scatter'), {
    type: 'scatter',
    data: { datasets: datasets },
    plugins: [errorBars],
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: {
        x: { type: allPositive ? 'logarithmic' : 'linear', title: { display: true, text: 'USD per instance at list price' + (allPositive ? ' (log scale)' : '') },
             ticks: { callback: function (v) { return usd(Number(v)); }, maxTicksLimit: 8 } },
        y: { title: { display: true, text: data.metric + (data.mode === 'min' ? ' (lower is better)' : '') } }
      },
      plugins: {
        // the trials' legend box in their usual colour (the first point may be on the front)
        legend: { labels: { generateLabels: function (chart) {
          var labels = Chart.defaults.plugins.legend.labels.generateLabels(chart);
          if (labels[0]) { labels[0].fillStyle = BLUE; labels[0].strokeStyle = BLUE; }
          return labels;
        } } },
        tooltip: { callbacks: { label: function (c) {
          var r = c.raw;
          if (r.trial === undefined) return c.dataset.label;
          return '#' + r.trial + ' ' + r.state + ': ' + data.metric + ' ' + r.y.toFixed(3) + (r.low !== null ? ' [' + r.low.toFixed(3) + ', ' + r.high.toFixed(3) + ']' : '') + ', ' + usd(r.x) + ', ' + r.rows + ' rows';
        } } }
      }
    }
  });

  var hist = data.history;
  var best = [], run = null, sign = data.mode === 'min' ? -1 : 1;
  hist.forEach(function (h) {
    if (h.metric !== null && (run === null || sign * h.metric > sign * run)) run = h.metric;
    if (run !== null) best.push({ x: h.trial, y: run });
  });
  new Chart(document.getElementById('history'), {
    type: 'scatter',
    data: { datasets: [
      { label: data.metric + ' of each trial', data: hist.filter(function (h) { return h.metric !== null; }).map(function (h) { return { x: h.trial, y: h.metric }; }), backgroundColor: BLUE, pointRadius: 3, yAxisID: 'y' },
      { label: 'best so far', data: best, showLine: true, stepped: true, borderColor: GREEN, pointRadius: 0, yAxisID: 'y' },
      { label: 'spent', data: hist.filter(function (h) { return h.spent !== null; }).map(function (h) { return { x: h.trial, y: h.spent }; }), showLine: true, borderColor: GREY, borderDash: [3, 3], pointRadius: 0, yAxisID: 'spend' }
    ] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'trial' }, ticks: { precision: 0 } },
        y: { title: { display: true, text: data.metric } },
        spend: { position: 'right', title: { display: true, text: 'USD spent' }, grid: { drawOnChartArea: false }, ticks: { callback: function (v) { return usd(Number(v)); } } }
      }
    }
  });
})();
`;
