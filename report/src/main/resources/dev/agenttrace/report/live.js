/* serve's live view: the running sessions of every store serve knows, kept up to date by its
   event feed; each row links to the session's own live report and carries the breakers' controls. */
(async () => {
  const {h, $} = AT;
  const D = await AT.loadData();
  const S = new Map();
  for (const x of D.sessions) S.set(x.id, x);
  const feed = document.body.dataset.feed, control = document.body.dataset.control;
  $('subtitle').textContent = D.stores.length === 1 ? 'store ' + D.stores[0] : D.stores.length + ' stores: ' + D.stores.join(', ');
  const said = new Map();
  const ago = (sec) => { const d = Math.max(0, Date.now() / 1000 - sec); return d < 90 ? d.toFixed(0) + ' s ago' : d < 5400 ? (d / 60).toFixed(0) + ' min ago' : (d / 3600).toFixed(1) + ' h ago'; };
  const badge = {running: 'b-prompt', paused: 'b-shadow', blocked: 'b-block', ended: 'b-open', stale: 'b-err'};

  async function act(x, action) {
    if (action === 'stop' && !window.confirm('Stop the agent of session ' + x.id + '?')) return;
    said.set(x.id, '…'); draw();
    try {
      const r = await fetch(control + '/' + action, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({session_id: x.id})});
      const body = await r.json().catch(() => ({}));
      said.set(x.id, (r.ok ? '' : 'refused: ') + (body.message || r.status + ' ' + r.statusText));
    } catch (e) { said.set(x.id, 'could not reach serve: ' + e.message); }
    draw();
  }

  function table(rows, live) {
    if (!rows.length) return h('p', {class: 'empty', text: live ? 'No session is running. Start an agent whose tools go through agent-trace; it appears here.' : 'None yet.'});
    const head = h('tr', null, h('th', {text: 'state'}), h('th', {text: 'session'}), h('th', {text: 'agent / command'}), h('th', {text: 'started'}),
      h('th', {class: 'num', text: 'duration'}), h('th', {class: 'num', text: 'calls'}), h('th', {class: 'num', text: 'errors'}),
      h('th', {text: 'last write'}), live && control ? h('th', {text: 'brakes'}) : null);
    const t = h('table', {class: 'sessions'}, h('thead', null, head));
    const body = h('tbody');
    for (const x of rows) {
      const end = x.ended_at || Date.now() / 1000;
      const tr = h('tr', {'data-session': x.id, 'data-state': x.state},
        h('td', null, h('span', {class: 'badge ' + (badge[x.state] || 'b-open'), title: x.why || x.damaged || '', text: x.state})),
        h('td', null, h('a', {class: 'sess', href: '/sessions/' + encodeURIComponent(x.id), text: x.id.slice(0, 16)}),
          x.parent ? h('span', {class: 'mute', text: ' (subagent)'}) : null),
        h('td', {title: x.command, text: x.agent || '–'}),
        h('td', {text: AT.when(x.started_at)}),
        h('td', {class: 'num', text: x.started_at ? AT.ms((end - x.started_at) * 1000) : '–'}),
        h('td', {class: 'num calls', text: AT.int(x.tool_calls)}),
        h('td', {class: 'num errors' + (x.errors ? ' warn' : ''), text: AT.int(x.errors)}),
        h('td', {class: 'mute', text: ago(x.last_write)}),
        live && control ? h('td', {class: 'brakes'},
          ...[['pause', 'Pause'], ['resume', 'Resume'], ['stop', 'Stop']].map(([a, l]) => h('button', {type: 'button', 'data-action': a, text: l,
            title: a === 'resume' ? 'SIGCONT to a paused agent; closes an open breaker' : x.agent_pid ? (a === 'pause' ? 'SIGSTOP to the agent' : 'SIGTERM to the agent, SIGKILL after 3 s') : 'no agent pid on record for this session',
            onclick: () => act(x, a)})),
          h('span', {class: 'said', 'aria-live': 'polite', text: said.get(x.id) || ''})) : null);
      body.appendChild(tr);
    }
    t.appendChild(body);
    return t;
  }

  function draw() {
    const all = [...S.values()];
    const run = all.filter((x) => x.state !== 'ended' && x.state !== 'stale').sort((a, b) => (b.started_at || 0) - (a.started_at || 0));
    const done = all.filter((x) => x.state === 'ended' || x.state === 'stale').sort((a, b) => (b.started_at || 0) - (a.started_at || 0));
    $('running').replaceChildren(table(run, true));
    $('ended').replaceChildren(table(done, false));
    const k = $('kpis');
    k.replaceChildren();
    const calls = run.reduce((a, x) => a + x.tool_calls, 0), errs = run.reduce((a, x) => a + x.errors, 0);
    for (const [l, v, bad] of [['running', AT.int(run.length)], ['tool calls (running)', AT.int(calls)], ['errors (running)', AT.int(errs), errs > 0],
      ['breakers open or paused', AT.int(run.filter((x) => x.state === 'blocked' || x.state === 'paused').length), run.some((x) => x.state === 'blocked' || x.state === 'paused')]]) {
      k.appendChild(h('div', {class: 'kpi' + (bad ? ' bad' : '')}, h('b', {text: v}), h('span', {text: l})));
    }
    document.body.dataset.sessions = String(S.size);
  }

  let dirty = false;
  if (feed) {
    const src = new EventSource(feed);
    src.addEventListener('message', (ev) => {
      const m = JSON.parse(ev.data);
      if (m.op === 'session') S.set(m.id, m);
      else if (m.op === 'gone') S.delete(m.id);
      if (!dirty) { dirty = true; setTimeout(() => { dirty = false; draw(); }, 100); }
    });
    src.addEventListener('open', () => { document.body.dataset.feedState = 'open'; $('live-dot').textContent = '● live'; });
    src.addEventListener('error', () => { document.body.dataset.feedState = src.readyState === EventSource.CLOSED ? 'closed' : 'retrying'; $('live-dot').textContent = '○ reconnecting'; });
  }
  setInterval(draw, 5000); // durations and "last write" keep moving between messages
  $('foot').textContent = 'Running: no ended_at, and the recorder is alive or wrote in the last 15 minutes. Pause and Stop signal the agent pid the session recorded; Resume also closes a breaker a block rule opened.';
  draw();
  document.body.dataset.ready = '1';
})().catch((e) => AT.fail(e));
