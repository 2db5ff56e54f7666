/* Trends across sessions: one chart per health signal, every bar a link to its session's report. */
(async () => {
  const {h, $} = AT;
  const D = await AT.loadData();
  const S = D.sessions;
  const safe = (href) => (href && !/^[a-z][a-z0-9+.-]*:/i.test(href) ? href : null);
  const open = (i) => { const href = safe(S[i].href); if (href) window.location.href = href; };
  const label = (x) => x.started_at ? new Date(x.started_at * 1000).toISOString().slice(5, 16).replace('T', ' ') : x.id.slice(0, 6);
  const labels = S.map(label);
  $('title').textContent = D.title;
  $('subtitle').textContent = S.length ? `${S.length} session(s), ${AT.when(S[0].started_at)} to ${AT.when(S[S.length - 1].started_at)}` : 'no sessions';

  const sum = (f) => S.reduce((a, x) => a + f(x), 0);
  const calls = sum((x) => x.tool_calls), errs = sum((x) => x.errors);
  for (const [l, v, bad] of [['sessions', AT.int(S.length)], ['total cost', AT.usd(sum((x) => x.cost_usd))], ['tool calls', AT.int(calls)],
    ['error rate', calls ? AT.pct(errs / calls) : '–', errs > 0], ['loops', AT.int(sum((x) => x.loops)), sum((x) => x.loops) > 0],
    ['retries', AT.int(sum((x) => x.retries))], ['breaker trips', AT.int(sum((x) => x.trips)), sum((x) => x.trips) > 0],
    ['firewall blocks', AT.int(sum((x) => x.blocked)), sum((x) => x.blocked) > 0]]) {
    $('kpis').appendChild(h('div', {class: 'kpi' + (bad ? ' bad' : '')}, h('b', {text: v}), h('span', {text: l})));
  }

  const charts = $('charts');
  const add = (svg, note) => charts.appendChild(h('section', null, svg, note ? h('p', {class: 'mute', text: note}) : null));
  const P = AT.PALETTE;
  add(AT.barChart({id: 'cost', title: 'Cost per session, against the baseline', labels, fmt: AT.usd, onClick: open,
    series: [{name: 'cost', values: S.map((x) => x.cost_usd), color: P[0]}],
    line: {name: 'baseline (median of earlier runs)', values: S.map((x) => x.baseline_usd === undefined ? null : x.baseline_usd), color: '#111827'}}),
    'A bar well above the dashed line is a run that cost more than usual.');
  const kinds = [...new Set(S.flatMap((x) => Object.keys(x.error_kinds)))].sort();
  add(AT.barChart({id: 'errors', title: 'Tool error rate by kind', labels, stacked: true, fmt: (v) => AT.pct(v), onClick: open,
    series: (kinds.length ? kinds : ['none']).map((k, j) => ({name: k.replace(/_/g, ' '), color: P[(j + 3) % P.length],
      values: S.map((x) => (x.tool_calls ? (x.error_kinds[k] || 0) / x.tool_calls : 0))}))}));
  add(AT.barChart({id: 'loops', title: 'Loops and retries per run', labels, onClick: open, integer: true, fmt: (v) => String(Math.round(v)),
    series: [{name: 'loops', values: S.map((x) => x.loops), color: P[4]}, {name: 'retries', values: S.map((x) => x.retries), color: P[1]}]}));
  add(AT.barChart({id: 'trips', title: 'Circuit-breaker trips and firewall blocks', labels, stacked: true, onClick: open, integer: true, fmt: (v) => String(Math.round(v)),
    series: [{name: 'breaker trips', values: S.map((x) => x.trips), color: '#7c3aed'}, {name: 'firewall blocks', values: S.map((x) => x.blocked), color: '#b91c1c'}]}));
  add(AT.barChart({id: 'files', title: 'Files touched per session', labels, onClick: open, integer: true, fmt: (v) => String(Math.round(v)),
    series: [{name: 'files touched', values: S.map((x) => x.files_touched), color: P[5 % P.length]}],
    line: {name: 'baseline (median of the agent\'s previous sessions)', values: S.map((x) => (x.drift_baseline ? x.drift_baseline.files_touched : null)), color: '#111827'}}),
    'The same numbers as agent-trace drift: a bar far above the dashed line touched many more files than usual.');
  const use = new Map();
  for (const x of S) for (const t of Object.keys(x.tool_p50_ms)) use.set(t, (use.get(t) || 0) + 1);
  const top = [...use.keys()].sort((a, b) => use.get(b) - use.get(a)).slice(0, 6);
  add(AT.lineChart({id: 'latency', title: 'Tool latency (p50 per session)', labels, fmt: AT.ms,
    series: (top.length ? top : ['none']).map((t, j) => ({name: t, color: P[j % P.length], values: S.map((x) => (x.tool_p50_ms[t] === undefined ? null : x.tool_p50_ms[t]))}))}));
  const days = new Map();
  for (const x of S) { const d = x.started_at ? new Date(x.started_at * 1000).toISOString().slice(0, 10) : 'unknown'; days.set(d, (days.get(d) || 0) + 1); }
  const dayKeys = [...days.keys()].sort();
  add(AT.barChart({id: 'per-day', title: 'Sessions per day (UTC)', labels: dayKeys, integer: true, fmt: (v) => String(Math.round(v)),
    series: [{name: 'sessions', values: dayKeys.map((d) => days.get(d)), color: P[2]}]}));

  const byId = new Map(S.map((x) => [x.id, x]));
  const fmtValue = (c, v) => (c.metric === 'duration_ms' ? AT.ms(v) : String(+v.toFixed(2)));
  const drifts = D.drift || [];
  const list = h('ul', {class: 'drift'});
  for (const c of drifts) {
    const x = byId.get(c.id), href = x ? safe(x.href) : null;
    const what = c.tool !== undefined ? `tool ${c.tool} ${c.direction}`
      : `${c.metric.replace(/_/g, ' ')} ${c.direction}: ${fmtValue(c, c.value)} (baseline ${fmtValue(c, c.baseline)})`;
    list.appendChild(h('li', {'data-metric': c.metric}, href ? h('a', {class: 'sess', href: href, text: c.id}) : h('span', {class: 'sess', text: c.id}),
      ' ' + (x ? AT.when(x.started_at) : '') + ' · ' + what));
  }
  $('drift').appendChild(drifts.length ? list : h('p', {class: 'empty', text: 'No session moved away from its baseline.'}));
  $('drift').appendChild(h('p', {class: 'mute', text: `A metric changed when it is ${D.drift_factor}x its baseline (or 1/${D.drift_factor}) and past its floor; `
    + `the baseline is the median of the agent's previous ${D.drift_window} sessions (agent-trace drift).`}));

  const t = h('table', null, h('thead', null, h('tr', null, ...['started', 'session', 'agent', 'duration', 'calls', 'errors', 'cost', 'vs baseline', 'loops', 'retries', 'trips', 'blocked', 'files']
    .map((x, j) => h('th', {class: j >= 3 ? 'num' : null, text: x})))));
  const body = h('tbody');
  for (let i = S.length - 1; i >= 0; i--) {
    const x = S[i], href = safe(x.href);
    const delta = x.baseline_usd ? x.cost_usd / x.baseline_usd - 1 : null;
    const cells = [AT.when(x.started_at), href ? h('a', {class: 'sess', href: href, text: x.id}) : h('span', {class: 'sess', text: x.id}), x.agent || '', AT.ms(x.duration_ms),
      AT.int(x.tool_calls), AT.int(x.errors), AT.usd(x.cost_usd), delta === null ? '–' : (delta >= 0 ? '+' : '') + AT.pct(delta),
      AT.int(x.loops), AT.int(x.retries), AT.int(x.trips), AT.int(x.blocked), AT.int(x.files_touched)];
    const tr = h('tr');
    cells.forEach((c, j) => tr.appendChild(typeof c === 'object' ? h('td', null, c) : h('td', {class: j >= 3 ? 'num' : null, text: c})));
    if (delta !== null && delta > 0.5) tr.children[7].style.color = '#dc2626';
    body.appendChild(tr);
  }
  t.appendChild(body);
  $('sessions').appendChild(S.length ? t : h('p', {class: 'empty', text: 'No sessions in this store (or none matched --agent).'}));
  $('foot').textContent = 'Cost is estimated from payload size where the trace has no token counts. Baseline: the median cost of the earlier sessions in the window. Error kinds as the error_kind watcher classifies them; loops as lint finds them.';
  document.body.dataset.ready = '1';
})().catch((e) => AT.fail(e));
