/* The report of one session: a virtualised waterfall (only the rows on screen exist in the DOM,
   so 100,000 calls scroll like 100), an overview to zoom with, the firewall's and the breakers'
   decisions on the axis, and the analysis explain gives. */
(async () => {
  const {h, s, $} = AT;
  const FAILED = 1, IS_ERROR = 2, BLOCKED = 4, OPEN = 8, SHADOW = 16, LLM = 32;
  const RH = 24, EXP = 200, LABW = 400;
  const D = await AT.loadData();
  const S = D.summary, R = D.rows, tools = D.tools;
  const marks = D.marks.map((m) => ({t: m[0], kind: m[1], choice: m[2], rule: m[3], reason: m[4], tool: m[5], row: m[6], id: m[7]}));
  const markIds = new Set(marks.map((m) => m.id).filter(Boolean));
  const rowById = new Map();
  R.id.forEach((id, i) => { if (id) rowById.set(id, i); });
  let end = D.end_ms || 1;
  let hay = null;
  let view = [];
  let expanded = new Set();
  let expPos = [];
  let sel = -1;
  let win = [0, 1];
  const scroll = $('scroll'), space = $('space');
  document.documentElement.style.setProperty('--labw', LABW + 'px');

  function extent() {
    let e = Math.max(D.end_ms || 0, 1);
    for (let i = 0; i < R.t.length; i++) { const x = R.t[i] + Math.max(0, R.d[i]); if (x > e) e = x; }
    for (const m of marks) if (m.t > e) e = m.t;
    return e;
  }

  /* ---------- header, figures, story ---------- */
  function header() {
    const m = D.session;
    $('title').textContent = (m.agent || m.command || 'session') + ' · session report';
    $('subtitle').textContent = [m.id, AT.when(m.started_at), m.working_dir, m.parent_session_id ? 'subagent of ' + m.parent_session_id : null].filter(Boolean).join('  ·  ');
    const blocked = countRows(BLOCKED), alerts = marks.filter((x) => x.kind === 'alert').length;
    const k = [
      ['duration', AT.ms(S.duration_ms)],
      ['tool calls', AT.int(S.tool_calls)],
      ['errors', AT.int(S.error_count) + ' (' + AT.pct(S.error_rate) + ')', S.error_count > 0],
      ['retries', AT.int(S.retry_count), S.retry_count > 0],
      ['blocked by firewall', AT.int(blocked), blocked > 0],
      ['breaker alerts', AT.int(alerts), alerts > 0],
      [S.cost.token_source === 'trace' ? 'cost' : 'cost (estimated)', AT.usd(S.cost.cost_usd)],
      ['tokens', AT.int(S.cost.total_tokens)],
      ['exit code', S.exit_code === null ? '–' : S.exit_code, S.exit_code !== null && S.exit_code !== 0],
    ];
    const box = $('kpis');
    for (const [label, value, bad] of k) box.appendChild(h('div', {class: 'kpi' + (bad ? ' bad' : '')}, h('b', {text: value}), h('span', {text: label})));
    $('story').textContent = D.story;
    const legend = $('legend');
    for (const [c, t] of [['var(--ok)', 'call'], ['var(--bad)', 'failed'], ['repeating-linear-gradient(45deg,#b91c1c,#b91c1c 3px,#fca5a5 3px,#fca5a5 6px)', 'blocked'], ['#9ca3af', 'no answer'], ['#10b981', 'LLM'], ['#b91c1c', '▼ firewall'], ['#7c3aed', '▼ breaker'], ['#0891b2', '▼ prompt']]) {
      const i = h('i'); i.style.background = c; legend.appendChild(h('span', null, i, t));
    }
    const foot = ['Arguments and results are the previews the recorder stored (redacted as it recorded), clipped to 300 and 400 characters.'];
    if (D.children.length) foot.push('Includes ' + D.children.length + ' subagent session(s): ' + D.children.map((c) => c.id).join(', ') + '.');
    for (const w of D.warnings) foot.push('warning: ' + w);
    $('foot').textContent = foot.join(' ');
  }
  function countRows(flag) { let n = 0; for (const f of R.f) if (f & flag) n++; return n; }

  /* ---------- tables ---------- */
  function table(head, rows, onClick) {
    const t = h('table', null, h('thead', null, h('tr', null, ...head.map((x) => h('th', {class: x.startsWith('#') ? 'num' : null, text: x.replace(/^#/, '')})))));
    const b = h('tbody');
    rows.forEach((r, i) => {
      const tr = h('tr', {class: onClick ? 'click' : null});
      r.forEach((c, j) => tr.appendChild(typeof c === 'object' && c !== null ? h('td', null, c) : h('td', {class: head[j].startsWith('#') ? 'num' : null, text: c})));
      if (onClick) tr.addEventListener('click', () => onClick(i));
      b.appendChild(tr);
    });
    t.appendChild(b);
    return t;
  }
  function meter(v, max, color) {
    const o = h('span', {style: 'display:inline-block;width:90px;height:8px;background:#eef0f3;border-radius:4px;vertical-align:middle;margin-left:6px'});
    const i = h('span', {style: `display:block;height:8px;border-radius:4px;background:${color};width:${max > 0 ? Math.max(2, 90 * v / max) : 0}px`});
    o.appendChild(i); return o;
  }
  function sections() {
    const ph = S.phases;
    const maxCost = Math.max(0, ...ph.map((p) => p.cost_usd));
    $('phases').appendChild(ph.length ? table(['phase', '#duration', '#calls', '#errors', '#tokens', '#cost'],
      ph.map((p) => [(p.index + 1) + '. ' + p.label, AT.ms(p.duration_ms), AT.int(p.tool_calls), p.errors ? AT.int(p.errors) : '', AT.int(p.tokens || 0),
        h('span', null, AT.usd(p.cost_usd), meter(p.cost_usd, maxCost, p.failed ? '#dc2626' : '#3b82f6'))]),
      (i) => jumpToTime(ph[i].started_at * 1000 - (D.session.started_at || 0) * 1000)) : h('p', {class: 'empty', text: 'no phases'}));
    $('phases').appendChild(h('p', {class: 'mute', text: `Total ${AT.usd(S.cost.cost_usd)} for ${AT.int(S.cost.total_tokens)} tokens (${AT.int(S.cost.input_tokens)} in, ${AT.int(S.cost.output_tokens)} out), ` +
      (S.cost.token_source === 'trace' ? 'counted in the trace' : 'estimated from payload size') + `, priced as ${S.cost.priced_as} (prices of ${S.cost.prices_as_of})` +
      (S.cost.wasted_cost_usd > 0 ? `; ${AT.usd(S.cost.wasted_cost_usd)} spent in phases that ended in an error.` : '.')}));
    const maxP = Math.max(0, ...S.tools.map((t) => t.p95_ms || 0));
    $('tools').appendChild(S.tools.length ? table(['tool', '#calls', '#errors', '#p50', '#p95'],
      S.tools.map((t) => [t.tool_name, AT.int(t.calls), t.errors ? `${AT.int(t.errors)} (${AT.pct(t.error_rate)})` : '', AT.ms(t.p50_ms), h('span', null, AT.ms(t.p95_ms), meter(t.p95_ms || 0, maxP, t.errors ? '#f59e0b' : '#3b82f6'))]),
      (i) => { $('tool').value = String(tools.indexOf(S.tools[i].tool_name)); apply(); $('timeline').scrollIntoView(); }) : h('p', {class: 'empty', text: 'no tool calls'}));
    $('slowest').appendChild(S.slowest_calls.length ? table(['call', '#duration', ''],
      S.slowest_calls.map((c) => [c.tool_name, AT.ms(c.duration_ms), c.failed ? h('span', {class: 'badge b-err', text: 'failed'}) : '']),
      (i) => jumpToRow(rowById.get(S.slowest_calls[i].event_id))) : h('p', {class: 'empty', text: 'no timed calls'}));
    const files = $('files');
    for (const [label, list] of [['written', S.files_written], ['read', S.files_read]]) {
      files.appendChild(h('h4', {text: `${label} (${list.length})`}));
      if (!list.length) files.appendChild(h('p', {class: 'empty', text: 'none'}));
      else { const ul = h('ul', {class: 'files'}); for (const f of list) ul.appendChild(h('li', {text: f})); files.appendChild(ul); }
    }
  }
  function decisions() {
    const box = $('decision-list');
    box.textContent = '';
    const ds = marks.filter((m) => m.kind !== 'prompt' && m.kind !== 'error');
    if (!ds.length) { box.appendChild(h('p', {class: 'empty', text: 'No firewall decision and no breaker alert in this session.'})); return; }
    const shown = ds.slice(0, 500);
    if (ds.length > shown.length) box.appendChild(h('p', {class: 'mute', text: `The first ${shown.length} of ${AT.int(ds.length)}; every blocked or flagged call is in the waterfall under "blocked or flagged", every mark on its axis.`}));
    box.appendChild(table(['at', 'what', 'rule', 'tool', 'reason'], shown.map((m) => [
      AT.ms(m.t), badgeFor(m), m.rule ? h('span', {class: 'rule', text: m.rule}) : '', m.tool || '', m.reason || '']),
      (i) => shown[i].row >= 0 ? jumpToRow(shown[i].row) : jumpToTime(shown[i].t)));
  }
  function badgeFor(m) {
    if (m.kind === 'policy') return h('span', {class: 'badge ' + (m.choice === 'block' ? 'b-block' : 'b-shadow'), text: m.choice === 'block' ? 'firewall: blocked' : 'firewall: would block'});
    if (m.kind === 'alert') return h('span', {class: 'badge b-alert', text: 'breaker: ' + (m.choice || 'alert')});
    if (m.kind === 'block') return h('span', {class: 'badge b-block', text: 'breaker: blocked'});
    return h('span', {class: 'badge b-decision', text: m.choice || 'decision'});
  }

  /* ---------- overview and axis ---------- */
  const MARK_COLOR = {policy: '#b91c1c', block: '#b91c1c', alert: '#7c3aed', prompt: '#0891b2', error: '#dc2626', decision: '#4f46e5'};
  function overview() {
    const svg = $('overview');
    svg.textContent = '';
    const B = 250, ok = new Float64Array(B), bad = new Float64Array(B);
    for (let i = 0; i < R.t.length; i++) {
      const b = Math.min(B - 1, Math.floor(R.t[i] / end * B));
      if (R.f[i] & (FAILED | BLOCKED)) bad[b]++; else ok[b]++;
    }
    let max = 1;
    for (let b = 0; b < B; b++) max = Math.max(max, ok[b] + bad[b]);
    const w = 1000 / B, top = 16, hh = 56;
    let dOk = '', dBad = '';
    for (let b = 0; b < B; b++) {
      const x = (b * w).toFixed(2), ho = ok[b] / max * hh, hb = bad[b] / max * hh;
      if (ho > 0) dOk += `M${x},${(top + hh - ho).toFixed(2)}h${(w * 0.85).toFixed(2)}v${ho.toFixed(2)}h-${(w * 0.85).toFixed(2)}z`;
      if (hb > 0) dBad += `M${x},${(top + hh - ho - hb).toFixed(2)}h${(w * 0.85).toFixed(2)}v${hb.toFixed(2)}h-${(w * 0.85).toFixed(2)}z`;
    }
    svg.appendChild(s('rect', {x: 0, y: top, width: 1000, height: hh, fill: '#f8fafc'}));
    if (R.t.length <= 3000) {
      // few calls: a miniature of the waterfall itself, one thin bar per call
      const n = Math.max(1, R.t.length), bh = Math.max(0.6, Math.min(6, hh / n));
      dOk = ''; dBad = '';
      for (let i = 0; i < R.t.length; i++) {
        const x = R.t[i] / end * 1000, w2 = Math.max(1.5, (R.d[i] >= 0 ? R.d[i] : end - R.t[i]) / end * 1000), y = top + (hh - bh) * (n === 1 ? 0.5 : i / (n - 1));
        const d = `M${x.toFixed(2)},${y.toFixed(2)}h${w2.toFixed(2)}v${bh.toFixed(2)}h-${w2.toFixed(2)}z`;
        if (R.f[i] & (FAILED | BLOCKED)) dBad += d; else dOk += d;
      }
      svg.appendChild(s('path', {d: dOk, fill: '#3b82f6'}));
      svg.appendChild(s('path', {d: dBad, fill: '#dc2626'}));
    } else {
      svg.appendChild(s('path', {d: dOk, fill: '#93c5fd'}));
      svg.appendChild(s('path', {d: dBad, fill: '#ef4444'}));
    }
    for (const m of marks) {
      if (m.kind === 'error') continue;
      const x = m.t / end * 1000;
      svg.appendChild(s('path', {class: 'ov-mark mark-' + m.kind, d: `M${(x - 4).toFixed(1)},1h8l-4,8z`, fill: MARK_COLOR[m.kind] || '#444'},
        s('title', {text: markText(m)})));
    }
    const sel = s('rect', {id: 'ov-win', x: win[0] / end * 1000, y: top, width: Math.max(1, (win[1] - win[0]) / end * 1000), height: hh, fill: 'rgba(59,130,246,.12)', stroke: '#3b82f6', 'stroke-width': 1, 'vector-effect': 'non-scaling-stroke'});
    svg.appendChild(sel);
    svg.appendChild(s('text', {x: 2, y: top + hh - 2, 'font-size': 9, fill: '#98a2b3', text: 'drag to zoom · double-click to reset'}));
  }
  function markText(m) {
    const what = m.kind === 'policy' ? (m.choice === 'block' ? 'firewall blocked' : 'firewall would block') : m.kind === 'alert' ? 'breaker ' + (m.choice || 'alert') : m.kind === 'block' ? 'breaker blocked' : m.kind;
    return `${AT.ms(m.t)}  ${what}${m.rule ? ' [' + m.rule + ']' : ''}${m.tool ? ' ' + m.tool : ''}: ${m.reason || ''}`;
  }
  function brush() {
    const svg = $('overview');
    let from = null;
    const at = (ev) => { const r = svg.getBoundingClientRect(); return Math.max(0, Math.min(1, (ev.clientX - r.left) / r.width)) * end; };
    svg.addEventListener('mousedown', (ev) => { from = at(ev); ev.preventDefault(); });
    window.addEventListener('mousemove', (ev) => {
      if (from === null) return;
      const to = at(ev), r = $('ov-win');
      r.setAttribute('x', Math.min(from, to) / end * 1000); r.setAttribute('width', Math.max(1, Math.abs(to - from) / end * 1000));
    });
    window.addEventListener('mouseup', (ev) => {
      if (from === null) return;
      const to = at(ev);
      if (Math.abs(to - from) > end / 500) setWindow(Math.min(from, to), Math.max(from, to));
      else jumpToTime(from);
      from = null;
    });
    svg.addEventListener('dblclick', () => setWindow(0, end));
    $('reset').addEventListener('click', () => setWindow(0, end));
  }
  function setWindow(a, b) { win = [a, Math.max(b, a + 0.01)]; overview(); axis(); render(); }
  function laneWidth() { return Math.max(100, scroll.clientWidth - LABW); }
  function axis() {
    const box = $('axis'); box.textContent = '';
    const W = laneWidth(), span = win[1] - win[0];
    const svg = s('svg', {width: W, viewBox: `0 0 ${W} 26`}); svg.style.left = LABW + 'px';
    const step = niceStep(span / Math.max(2, W / 110));
    for (let t = Math.ceil(win[0] / step) * step; t <= win[1]; t += step) {
      const x = (t - win[0]) / span * W;
      svg.appendChild(s('line', {x1: x, x2: x, y1: 16, y2: 26, stroke: '#cbd5e1'}));
      svg.appendChild(s('text', {x: x + 3, y: 24, 'font-size': 10, fill: '#667085', text: t === 0 ? '0' : AT.ms(t)}));
    }
    for (const m of marks) {
      if (m.t < win[0] || m.t > win[1] || m.kind === 'error') continue;
      const x = (m.t - win[0]) / span * W;
      svg.appendChild(s('path', {class: 'axis-mark mark-' + m.kind, d: `M${(x - 5).toFixed(1)},2h10l-5,9z`, fill: MARK_COLOR[m.kind] || '#444', style: 'cursor:pointer',
        onclick: () => (m.row >= 0 ? jumpToRow(m.row) : jumpToTime(m.t))}, s('title', {text: markText(m)})));
    }
    box.appendChild(h('span', {style: 'position:absolute;left:10px;top:5px;font-size:11px;color:#667085', text: `${win[0] === 0 ? '0' : AT.ms(win[0])} – ${AT.ms(win[1])}`}));
    box.appendChild(svg);
  }
  function niceStep(raw) {
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-6))));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
    return 10 * p;
  }

  /* ---------- filtering ---------- */
  function buildHay() {
    hay = new Array(R.t.length);
    for (let i = 0; i < R.t.length; i++) hay[i] = (tools[R.k[i]] + '\u0000' + R.a[i] + '\u0000' + R.r[i] + '\u0000' + (R.rule[i] || '')).toLowerCase();
  }
  function apply() {
    const q = $('q').value.trim().toLowerCase(), tool = $('tool').value, st = $('status').value;
    if (q && (!hay || hay.length !== R.t.length)) buildHay();
    const k = tool === '' ? -1 : Number(tool);
    const keep = st === 'failed' ? FAILED : st === 'blocked' ? BLOCKED | SHADOW : st === 'open' ? OPEN : 0;
    const selRow = sel >= 0 && sel < view.length ? view[sel] : -1;
    const out = [];
    for (let i = 0; i < R.t.length; i++) {
      if (k >= 0 && R.k[i] !== k) continue;
      if (keep && !(R.f[i] & keep)) continue;
      if (st === 'nested' && !R.z[i]) continue;
      if (q && hay[i].indexOf(q) < 0) continue;
      out.push(i);
    }
    view = out;
    sel = selRow >= 0 ? view.indexOf(selRow) : -1;
    relayout();
    $('count').textContent = `${AT.int(view.length)} of ${AT.int(R.t.length)} calls`;
    document.body.dataset.visible = String(view.length);
  }
  function fillTools() {
    const counts = new Map();
    for (const k of R.k) counts.set(k, (counts.get(k) || 0) + 1);
    const sel = $('tool'), cur = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a)).forEach((k) => sel.appendChild(h('option', {value: k, text: `${tools[k]} (${AT.int(counts.get(k))})`})));
    sel.value = cur;
  }

  /* ---------- the virtualised waterfall ---------- */
  function relayout() {
    const pos = new Map(view.map((r, p) => [r, p]));
    expPos = [...expanded].map((r) => pos.get(r)).filter((p) => p !== undefined).sort((a, b) => a - b);
    space.style.height = (view.length * RH + expPos.length * EXP) + 'px';
    render();
  }
  function expBefore(p) { let lo = 0, hi = expPos.length; while (lo < hi) { const m = (lo + hi) >> 1; if (expPos[m] < p) lo = m + 1; else hi = m; } return lo; }
  const top = (p) => p * RH + expBefore(p) * EXP;
  function posAt(y) { let lo = 0, hi = Math.max(0, view.length - 1); while (lo < hi) { const m = (lo + hi + 1) >> 1; if (top(m) <= y) lo = m; else hi = m - 1; } return lo; }
  let queued = false;
  function render() {
    const y0 = scroll.scrollTop, y1 = y0 + scroll.clientHeight + RH;
    const W = laneWidth(), span = win[1] - win[0];
    const frag = document.createDocumentFragment();
    for (let p = posAt(y0); p < view.length; p++) {
      const t = top(p);
      if (t > y1) break;
      const i = view[p];
      frag.appendChild(rowNode(i, p, t, W, span));
      if (expanded.has(i)) frag.appendChild(detailNode(i, t + RH));
    }
    space.textContent = '';
    space.appendChild(frag);
    if (!view.length) {
      space.style.height = '40px';
      space.appendChild(h('p', {class: 'empty', style: 'padding:10px 14px;margin:0',
        text: R.t.length ? 'No call matches the search and filters (Esc clears them).' : 'No tool calls in this session.'}));
    }
  }
  function parallelWithPrevious(i) {
    if (i === 0) return false;
    const pd = R.d[i - 1];
    return R.t[i] < (pd >= 0 ? R.t[i - 1] + pd : end) && R.z[i] === R.z[i - 1];
  }
  function rowNode(i, p, y, W, span) {
    const f = R.f[i], d = R.d[i];
    const lab = h('div', {class: 'lab'}, h('span', {class: 'n', text: '#' + (i + 1)}));
    if (parallelWithPrevious(i)) lab.appendChild(h('span', {class: 'par', title: 'runs in parallel with the call above', text: '∥'}));
    if (R.z[i]) lab.appendChild(h('span', {class: 'mute', style: `padding-left:${(R.z[i] - 1) * 12}px`, text: '↳'}));
    lab.appendChild(h('span', {class: 'tool', text: tools[R.k[i]]}));
    if (f & BLOCKED) lab.appendChild(h('span', {class: 'badge b-block', title: R.rule[i] || 'blocked', text: 'BLOCKED ' + (R.rule[i] || '')}));
    else if (f & SHADOW) lab.appendChild(h('span', {class: 'badge b-shadow', text: 'would block ' + (R.rule[i] || '')}));
    if (f & IS_ERROR) lab.appendChild(h('span', {class: 'badge b-err', text: 'isError'}));
    else if (f & FAILED) lab.appendChild(h('span', {class: 'badge b-err', text: 'error'}));
    if (f & OPEN) lab.appendChild(h('span', {class: 'badge b-open', text: 'no answer'}));
    lab.appendChild(h('span', {class: 'arg', text: R.a[i].slice(0, 120)}));
    const lane = h('div', {class: 'lane'});
    const start = R.t[i], stop = d >= 0 ? start + d : end;
    if (stop >= win[0] && start <= win[1]) {
      const x = Math.max(0, (start - win[0]) / span * W), x2 = Math.min(W, (stop - win[0]) / span * W);
      const cls = 'bar' + (parallelWithPrevious(i) ? ' par' : '') + (f & BLOCKED ? ' block' : f & FAILED ? ' fail' : f & OPEN ? ' open' : f & LLM ? ' llm' : '') + (R.z[i] ? ' sub' : '');
      const bar = h('div', {class: cls, title: `${tools[R.k[i]]}: starts ${AT.ms(start)}, ${d >= 0 ? 'took ' + AT.ms(d) : 'no answer'}`});
      bar.style.left = x.toFixed(1) + 'px'; bar.style.width = Math.max(2, x2 - x).toFixed(1) + 'px';
      lane.appendChild(bar);
      const label = h('span', {class: 'bar-t', text: d >= 0 ? AT.ms(d) : 'open'});
      if (x2 + 70 < W) label.style.left = (Math.max(x2, x + 2) + 4).toFixed(1) + 'px'; else label.style.right = (W - x + 4).toFixed(1) + 'px';
      lane.appendChild(label);
    }
    const row = h('div', {class: 'row' + (p === sel ? ' sel' : ''), 'data-row': i, 'data-pos': p, role: 'button', 'aria-expanded': expanded.has(i) ? 'true' : 'false'}, lab, lane);
    row.style.top = y + 'px';
    return row;
  }
  function pretty(text) {
    if (!text) return '';
    if (text[0] === '{' || text[0] === '[') { try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* clipped: show as stored */ } }
    return text;
  }
  function detailNode(i, y) {
    const f = R.f[i];
    const status = f & BLOCKED ? 'blocked (never ran)' : f & OPEN ? 'no answer recorded' : f & IS_ERROR ? 'failed (isError result)' : f & FAILED ? 'failed (error)' : 'ok';
    const meta = h('div', {class: 'meta'}, h('b', {text: tools[R.k[i]]}), `  ·  event ${R.id[i] || '–'}  ·  started ${AT.ms(R.t[i])}  ·  took ${AT.ms(R.d[i])}  ·  ${status}` + (R.z[i] ? `  ·  subagent depth ${R.z[i]}` : ''));
    const kids = [meta];
    if (R.rule[i]) kids.push(h('div', {class: 'meta'}, 'rule ', h('span', {class: 'rule', text: R.rule[i]})));
    for (const m of marks) if (m.row === i && m.reason) kids.push(h('div', {class: 'meta'}, badgeFor(m), ' ', m.reason));
    kids.push(h('div', {class: 'cols'}, h('div', null, h('h4', {text: 'arguments'}), h('pre', {class: 'args', text: pretty(R.a[i]) || '(none)'})),
      h('div', null, h('h4', {text: 'result'}), h('pre', {class: 'result', text: R.r[i] || (f & OPEN ? '(no answer)' : '(empty)')}))));
    const d = h('div', {class: 'detail', 'data-detail': i}, ...kids);
    d.style.top = y + 'px'; d.style.height = EXP + 'px';
    return d;
  }
  function schedule() { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; render(); }); } }
  function select(p, reveal) {
    if (!view.length) return;
    sel = Math.max(0, Math.min(view.length - 1, p));
    if (reveal) {
      const t = top(sel), hgt = expanded.has(view[sel]) ? RH + EXP : RH;
      if (t < scroll.scrollTop) scroll.scrollTop = t;
      else if (t + hgt > scroll.scrollTop + scroll.clientHeight) scroll.scrollTop = t + hgt - scroll.clientHeight;
    }
    render();
  }
  function toggle(p) {
    const i = view[p];
    if (i === undefined) return;
    if (expanded.has(i)) expanded.delete(i); else expanded.add(i);
    sel = p;
    relayout();
    select(p, true);
  }
  function jumpToRow(i) {
    if (i === undefined || i < 0) return;
    let p = view.indexOf(i);
    if (p < 0) { $('q').value = ''; $('tool').value = ''; $('status').value = ''; apply(); p = view.indexOf(i); }
    if (R.t[i] < win[0] || R.t[i] > win[1]) setWindow(0, end);
    if (!expanded.has(i)) { expanded.add(i); relayout(); }
    sel = p;
    scroll.scrollTop = Math.max(0, top(p) - 2 * RH);
    render();
    $('timeline').scrollIntoView({block: 'start'});
    scroll.focus({preventScroll: true});
  }
  function jumpToTime(t) {
    let lo = 0, hi = view.length - 1;
    while (lo < hi) { const m = (lo + hi) >> 1; if (R.t[view[m]] < t) lo = m + 1; else hi = m; }
    select(lo, false);
    scroll.scrollTop = Math.max(0, top(lo) - 2 * RH);
    render();
  }

  function wire() {
    scroll.addEventListener('scroll', schedule);
    window.addEventListener('resize', () => { axis(); schedule(); });
    space.addEventListener('click', (ev) => {
      const row = ev.target.closest('.row');
      if (row) { toggle(Number(row.dataset.pos)); scroll.focus({preventScroll: true}); }
    });
    let timer = 0;
    $('q').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(apply, R.t.length > 20000 ? 150 : 40); });
    $('tool').addEventListener('change', apply);
    $('status').addEventListener('change', apply);
    document.addEventListener('keydown', (ev) => {
      const inField = ev.target.matches && ev.target.matches('input, select, textarea');
      if (ev.key === 'Escape') { if (inField) ev.target.blur(); $('q').value = ''; $('status').value = ''; $('tool').value = ''; apply(); scroll.focus(); return; }
      if (inField) { if (ev.key === 'Enter' || ev.key === 'ArrowDown') { ev.target.blur(); apply(); scroll.focus(); select(0, true); ev.preventDefault(); } return; }
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const page = Math.max(1, Math.floor(scroll.clientHeight / RH) - 1);
      switch (ev.key) {
        case 'j': case 'ArrowDown': select(sel + 1, true); break;
        case 'k': case 'ArrowUp': select(sel - 1, true); break;
        case 'PageDown': select(sel + page, true); break;
        case 'PageUp': select(sel - page, true); break;
        case 'g': case 'Home': select(0, true); break;
        case 'G': case 'End': select(view.length - 1, true); break;
        case 'Enter': case ' ': case 'o': if (sel >= 0) toggle(sel); break;
        case '/': $('q').focus(); break;
        case 'e': $('status').value = $('status').value === 'failed' ? '' : 'failed'; apply(); break;
        default: return;
      }
      ev.preventDefault();
    });
  }

  /* ---------- live: rows and marks from the server's event feed (agent-trace serve) ---------- */
  function live(url) {
    let dirty = false;
    const src = new EventSource(url);
    src.addEventListener('message', (ev) => {
      const m = JSON.parse(ev.data);
      if (m.op === 'row') {
        let i = m.id ? rowById.get(m.id) : undefined;
        let k = tools.indexOf(m.tool);
        if (k < 0) { k = tools.length; tools.push(m.tool); }
        if (i === undefined) {
          i = R.t.length;
          R.t.push(m.t); R.d.push(m.d); R.k.push(k); R.f.push(m.f); R.z.push(m.z); R.id.push(m.id); R.a.push(m.a); R.r.push(m.r);
          if (m.id) rowById.set(m.id, i);
        } else { R.d[i] = m.d; R.f[i] = m.f; R.r[i] = m.r; }
        if (m.rule) R.rule[i] = m.rule;
      } else if (m.op === 'mark') {
        if (m.id && markIds.has(m.id)) return;
        if (m.id) markIds.add(m.id);
        const row = m.call ? rowById.get(m.call) : undefined;
        marks.push({t: m.t, kind: m.kind, choice: m.choice, rule: m.rule, reason: m.reason, tool: m.tool, row: row === undefined ? -1 : row, id: m.id});
      }
      if (!dirty) { dirty = true; setTimeout(() => { dirty = false; const full = win[1] >= end; end = extent(); if (full) win = [win[0], end]; hay = null; fillTools(); apply(); overview(); axis(); decisions(); document.body.dataset.live = String(R.t.length); }, 100); }
    });
    src.addEventListener('end', () => { src.close(); document.body.dataset.feedState = 'ended'; });
    src.addEventListener('open', () => { document.body.dataset.feedState = 'open'; });
    src.addEventListener('error', () => { if (src.readyState === EventSource.CLOSED) document.body.dataset.feedState = 'closed'; });
  }

  /* ---------- the breakers' controls, when a server (agent-trace serve) hosts the page ---------- */
  function controls(base) {
    const box = $('controls');
    box.hidden = false;
    const said = h('span', {class: 'said', 'aria-live': 'polite'});
    box.appendChild(h('span', {class: 'live', text: '● live'}));
    for (const [action, label] of [['pause', 'Pause agent'], ['resume', 'Resume'], ['stop', 'Stop agent']]) {
      box.appendChild(h('button', {type: 'button', class: action === 'stop' ? 'stop' : null, 'data-action': action, text: label, onclick: async () => {
        if (action === 'stop' && !window.confirm('Stop the agent of session ' + D.session.id + '?')) return;
        said.textContent = '…';
        try {
          const r = await fetch(base + '/' + action, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({session_id: D.session.id})});
          const body = await r.json().catch(() => ({}));
          said.textContent = (r.ok ? '' : 'refused: ') + (body.message || r.status + ' ' + r.statusText);
        } catch (e) { said.textContent = 'could not reach the server: ' + e.message; }
      }}));
    }
    box.appendChild(said);
  }

  end = extent();
  win = [0, end];
  header();
  sections();
  decisions();
  fillTools();
  overview();
  brush();
  wire();
  axis();
  apply();
  if (document.body.dataset.feed) live(document.body.dataset.feed);
  if (document.body.dataset.control) controls(document.body.dataset.control);
  window.agentTraceReport = {renderMs: performance.now(), rows: R.t.length};
  document.body.dataset.ready = '1';
})().catch((e) => AT.fail(e));
