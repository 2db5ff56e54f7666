'use strict';
/* agent-trace pages: shared helpers. Every piece of data reaches the page as text (textContent,
   setAttribute): nothing from a trace is ever parsed as HTML. */
const AT = (() => {
  const SVGNS = 'http://www.w3.org/2000/svg';
  function build(e, attrs, kids) {
    if (attrs) {
      for (const k of Object.keys(attrs)) {
        const v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === 'class') e.setAttribute('class', v);
        else if (k === 'text') e.textContent = String(v);
        else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, String(v));
      }
    }
    for (const c of kids) {
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const h = (tag, attrs, ...kids) => build(document.createElement(tag), attrs, kids);
  const s = (tag, attrs, ...kids) => build(document.createElementNS(SVGNS, tag), attrs, kids);
  const $ = (id) => document.getElementById(id);

  async function loadData() {
    const el = $('agent-trace-data');
    if (el.type === 'application/json') return JSON.parse(el.textContent);
    if (typeof DecompressionStream === 'undefined') throw new Error('this browser cannot unpack the report (no DecompressionStream): open it in a current Chrome, Edge, Firefox or Safari');
    const bin = atob(el.textContent.replace(/\s+/g, ''));
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
    return JSON.parse(text);
  }

  function ms(v) {
    if (v === null || v === undefined || v < 0) return '–';
    if (v === 0) return '0';
    if (v < 1) return v.toFixed(2) + ' ms';
    if (v < 1000) return v.toFixed(v < 10 ? 1 : 0) + ' ms';
    if (v < 120000) return (v / 1000).toFixed(2) + ' s';
    if (v < 7200000) return (v / 60000).toFixed(1) + ' min';
    return (v / 3600000).toFixed(1) + ' h';
  }
  const usd = (v) => '$' + (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(4));
  const int = (v) => Number(v || 0).toLocaleString('en-US');
  const pct = (v) => (v * 100).toFixed(v < 0.1 ? 1 : 0) + '%';
  const when = (sec) => sec ? new Date(sec * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '–';

  function fail(err) {
    document.body.dataset.ready = 'error';
    const m = h('section', {class: 'warn'}, 'This page could not be drawn: ' + (err && err.message ? err.message : err));
    document.body.insertBefore(m, document.body.firstChild);
    throw err;
  }

  /* A bar chart as SVG. series: [{name, values[], color}], stacked or side by side; line: an
     optional {name, values[], color} drawn over the bars; onClick(i) for click-through. */
  function barChart(opts) {
    const W = 500, H = 250, L = 56, R = 10, T = 42, B = 26;
    const n = opts.labels.length;
    const series = opts.series;
    let max = 0;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (const se of series) { const v = se.values[i] || 0; sum = opts.stacked ? sum + v : Math.max(sum, v); }
      max = Math.max(max, sum);
    }
    if (opts.line) for (const v of opts.line.values) if (v !== null && v > max) max = v;
    if (max <= 0) max = 1;
    if (opts.integer) max = Math.max(4, Math.ceil(max / 4) * 4);
    const svg = s('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'data-chart': opts.id, 'aria-label': opts.title});
    svg.appendChild(s('text', {class: 'title', x: 0, y: 14, text: opts.title}));
    const y = (v) => T + (H - T - B) * (1 - v / max);
    for (let k = 0; k <= 4; k++) {
      const v = max * k / 4, yy = y(v);
      svg.appendChild(s('line', {x1: L, x2: W - R, y1: yy, y2: yy, stroke: '#eef0f3'}));
      svg.appendChild(s('text', {x: L - 6, y: yy + 4, 'text-anchor': 'end', text: opts.fmt ? opts.fmt(v) : +v.toFixed(2)}));
    }
    const bw = (W - L - R) / Math.max(1, n);
    const inner = opts.stacked || series.length === 1 ? bw * 0.7 : bw * 0.8 / series.length;
    for (let i = 0; i < n; i++) {
      let base = 0;
      series.forEach((se, j) => {
        const v = se.values[i] || 0;
        const x = L + i * bw + (opts.stacked || series.length === 1 ? bw * 0.15 : bw * 0.1 + j * inner);
        const y0 = opts.stacked ? base : 0;
        const r = s('rect', {x: x, y: y(y0 + v), width: Math.max(1, inner - 1), height: Math.max(0, y(y0) - y(y0 + v)), fill: se.color, class: 'cbar'},
          s('title', {text: `${opts.labels[i]}: ${se.name} ${opts.fmt ? opts.fmt(v) : v}`}));
        if (opts.onClick) { r.style.cursor = 'pointer'; r.addEventListener('click', () => opts.onClick(i)); }
        svg.appendChild(r);
        if (opts.stacked) base += v;
      });
    }
    if (opts.line && n > 0) {
      let d = '';
      opts.line.values.forEach((v, i) => { if (v !== null) d += (d ? 'L' : 'M') + (L + i * bw + bw / 2).toFixed(1) + ',' + y(v).toFixed(1); });
      if (d) svg.appendChild(s('path', {d: d, fill: 'none', stroke: opts.line.color, 'stroke-width': 2, 'stroke-dasharray': '5 3'},
        s('title', {text: opts.line.name})));
    }
    const every = Math.max(1, Math.ceil(n / 6));
    for (let i = 0; i < n; i += every) {
      svg.appendChild(s('text', {x: L + i * bw + bw / 2, y: H - B + 14, 'text-anchor': 'middle', text: opts.labels[i]}));
    }
    legend(svg, W, series.concat(opts.line ? [opts.line] : []));
    return svg;
  }

  /* Lines over the same x labels: series [{name, values[] (null = no point), color}]. */
  function lineChart(opts) {
    const W = 500, H = 250, L = 56, R = 10, T = 42, B = 26;
    const n = opts.labels.length;
    let max = 0;
    for (const se of opts.series) for (const v of se.values) if (v !== null && v > max) max = v;
    if (max <= 0) max = 1;
    const svg = s('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'data-chart': opts.id, 'aria-label': opts.title});
    svg.appendChild(s('text', {class: 'title', x: 0, y: 14, text: opts.title}));
    const y = (v) => T + (H - T - B) * (1 - v / max);
    const x = (i) => L + (n <= 1 ? (W - L - R) / 2 : i * (W - L - R) / (n - 1));
    for (let k = 0; k <= 4; k++) {
      const v = max * k / 4, yy = y(v);
      svg.appendChild(s('line', {x1: L, x2: W - R, y1: yy, y2: yy, stroke: '#eef0f3'}));
      svg.appendChild(s('text', {x: L - 6, y: yy + 4, 'text-anchor': 'end', text: opts.fmt ? opts.fmt(v) : +v.toFixed(2)}));
    }
    for (const se of opts.series) {
      let d = '';
      se.values.forEach((v, i) => {
        if (v === null) return;
        d += (d ? 'L' : 'M') + x(i).toFixed(1) + ',' + y(v).toFixed(1);
        svg.appendChild(s('circle', {cx: x(i), cy: y(v), r: 3, fill: se.color}, s('title', {text: `${opts.labels[i]}: ${se.name} ${opts.fmt ? opts.fmt(v) : v}`})));
      });
      if (d) svg.appendChild(s('path', {d: d, fill: 'none', stroke: se.color, 'stroke-width': 1.5}));
    }
    const every = Math.max(1, Math.ceil(n / 6));
    for (let i = 0; i < n; i += every) svg.appendChild(s('text', {x: x(i), y: H - B + 14, 'text-anchor': 'middle', text: opts.labels[i]}));
    legend(svg, W, opts.series);
    return svg;
  }

  function legend(svg, W, items) {
    let x = 0;
    for (const it of items) {
      const label = String(it.name).slice(0, 34);
      if (x + label.length * 6 + 22 > W) break;
      svg.appendChild(s('rect', {x: x, y: 22, width: 10, height: 10, rx: 2, fill: it.color}));
      svg.appendChild(s('text', {x: x + 14, y: 31, text: label}));
      x += label.length * 6 + 26;
    }
  }

  const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16'];
  return {h, s, $, loadData, ms, usd, int, pct, when, fail, barChart, lineChart, PALETTE};
})();
