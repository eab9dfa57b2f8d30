// tssupervisor's dashboard: plain browser JS, no framework, no build. It loads the process list
// once per (re)connection of the live feed (/api/v1/events, server-sent events), then applies each
// state change as it comes and refetches only that process. Every string reaches the DOM through
// textContent or attributes, never as HTML.

const SIGNALS = ['HUP', 'INT', 'QUIT', 'TERM', 'KILL', 'USR1', 'USR2', 'CONT', 'STOP', 'WINCH'];
const BUSY_STATES = new Set(['RUNNING', 'STARTING', 'STOPPING', 'BACKOFF']);
const IDLE_STATES = new Set(['STOPPED', 'EXITED', 'FATAL']);
const TAIL_MAX_CHARS = 200_000;

/** namespec -> { info, seq, skew, row cells } */
const procs = new Map();
let skew = 0; // server clock minus ours, in seconds: uptime ticks here from the server's `start`
let view = { kind: 'list' };
let tail = null;

const $ = (id) => document.getElementById(id);
const namespec = (p) => (p.group === p.name ? p.name : `${p.group}:${p.name}`);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'onclick') node.addEventListener('click', v);
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// ---- talking to the daemon -------------------------------------------------------------------

async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    const err = new Error(json?.error?.message ?? `${res.status} ${res.statusText}`);
    err.fault = json?.error?.fault;
    throw err;
  }
  return json;
}

const procPath = (ns) => `/api/v1/processes/${encodeURIComponent(ns)}`;
const call = (method, params) => api('POST', `/api/v1/call/${method}`, { params }).then((r) => r.result);

const actions = {
  start: (ns) => api('POST', `${procPath(ns)}/start`, { wait: false }),
  stop: (ns) => api('POST', `${procPath(ns)}/stop`, { wait: true }),
  async restart(ns) {
    // As supervisorctl restart: a process that is not running is just started.
    await actions.stop(ns).catch((e) => { if (e.fault !== 'NOT_RUNNING') throw e; });
    return actions.start(ns);
  },
  signal: (ns, sig) => api('POST', `${procPath(ns)}/signal`, { signal: sig }),
  clearlog: (ns) => api('DELETE', `${procPath(ns)}/logs`),
};

/** Results of the *Group calls: a list of { name, status, description }; 80 = success. */
function failures(results) {
  return (results ?? []).filter((r) => r.status !== 80).map((r) => `${r.name}: ${r.description}`);
}

const groupActions = {
  start: async (g) => failures(await call('supervisor.startProcessGroup', [g, false])),
  stop: async (g) => failures(await call('supervisor.stopProcessGroup', [g, true])),
  async restart(g) {
    await call('supervisor.stopProcessGroup', [g, true]);
    return failures(await call('supervisor.startProcessGroup', [g, false]));
  },
  signal: async (g, sig) => failures(await call('supervisor.signalProcessGroup', [g, sig])),
  async clearlog(g) {
    const members = [...procs.values()].filter((p) => p.info.group === g).map((p) => namespec(p.info));
    await Promise.all(members.map((ns) => actions.clearlog(ns)));
    return [];
  },
};

function notify(text, kind = 'error') {
  const n = $('notice');
  n.replaceChildren(el('span', { text }), el('button', { type: 'button', text: 'Dismiss', onclick: () => { n.hidden = true; } }));
  n.className = kind === 'error' ? 'notice' : 'notice info';
  n.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  n.hidden = false;
}

async function run(label, work) {
  try {
    const problems = await work();
    if (Array.isArray(problems) && problems.length > 0) notify(`${label}: ${problems.join('; ')}`);
  } catch (e) {
    notify(`${label}: ${e.message}`);
  }
}

// ---- formatting ------------------------------------------------------------------------------

function uptime(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const hms = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60].map((n, i) => (i === 0 ? String(n) : String(n).padStart(2, '0'))).join(':');
  return d > 0 ? `${d}d ${hms}` : hms;
}

function bytes(n) {
  if (typeof n !== 'number') return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(u === 0 || v >= 100 ? 0 : 1)} ${units[u]}`;
}

const running = (info) => info.statename === 'RUNNING' && info.start > 0;
const uptimeOf = (info) => (running(info) ? uptime(Date.now() / 1000 + skew - info.start) : '–');
const exitOf = (info) => (!BUSY_STATES.has(info.statename) && info.stop > 0 ? String(info.exitstatus) : '–');
const known = (v) => (v === undefined || v === null ? '–' : String(v));
/** Without the `pid N, uptime H:MM:SS` that the other cells show live (what follows it stays). */
const describe = (info) => (running(info) ? info.description.replace(/^pid \d+, uptime [^,]*(, )?/u, '') : info.description) || '–';

function healthCell(td, h) {
  td.className = h ? `h-${h.state}` : '';
  setCell(td, h ? (h.state === 'unhealthy' ? `unhealthy ${h.failures}/${h.retries}` : h.state) : '–');
  if (h?.lastError) td.title = h.lastError; else td.removeAttribute('title');
}

function stateBadge(state) {
  return el('span', { class: `state s-${state}`, text: state });
}

// ---- the list ------------------------------------------------------------------------------

function signalPicker(label, onSend) {
  const select = el('select', { 'aria-label': `Signal for ${label}` }, ...SIGNALS.map((s) => el('option', { value: s, text: s })));
  return el('span', { class: 'signal' }, select,
    el('button', { type: 'button', text: 'Signal', 'aria-label': `Send signal to ${label}`, onclick: () => onSend(select.value) }));
}

function processButtons(ns, full) {
  const b = (verb, text, fn, cls) => el('button', { type: 'button', class: cls, 'data-act': verb, text, 'aria-label': `${text} ${ns}`, onclick: () => run(`${text} ${ns}`, fn) });
  const parts = [
    b('start', 'Start', () => actions.start(ns)),
    b('stop', 'Stop', () => actions.stop(ns), 'danger'),
    b('restart', 'Restart', () => actions.restart(ns)),
  ];
  if (full) {
    parts.push(signalPicker(ns, (sig) => run(`Signal ${ns}`, () => actions.signal(ns, sig))));
    parts.push(b('clearlog', 'Clear log', () => actions.clearlog(ns)));
  } else {
    parts.push(el('a', { href: `#/process/${encodeURIComponent(ns)}`, text: 'Log & history', 'aria-label': `Log and history of ${ns}` }));
  }
  return el('div', { class: 'actions' }, ...parts);
}

function updateButtons(root, state) {
  for (const btn of root.querySelectorAll('button[data-act]')) {
    const act = btn.dataset.act;
    btn.disabled = (act === 'start' && BUSY_STATES.has(state) && state !== 'BACKOFF') || (act === 'stop' && IDLE_STATES.has(state));
  }
}

function groupSection(title, label, members, head) {
  const cols = ['State', 'Name', 'PID', 'Uptime', 'Exit', 'Restarts', 'Memory', 'Health', 'Description', 'Actions'];
  const body = el('tbody');
  for (const p of members) body.append(processRow(p));
  const table = el('table', { class: 'procs' }, el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', { scope: 'col', text: c })))), body);
  return el('section', { class: 'group', 'aria-label': label }, el('div', { class: 'group-head' }, el('h2', { text: title }), head), table);
}

function groupBar(group) {
  const gb = (text, fn, cls) => el('button', { type: 'button', class: cls, text, 'aria-label': `${text} group ${group}`, onclick: () => run(`${text} group ${group}`, fn) });
  return el('div', { class: 'actions' },
    gb('Start all', () => groupActions.start(group)),
    gb('Stop all', () => groupActions.stop(group), 'danger'),
    gb('Restart all', () => groupActions.restart(group)),
    signalPicker(`group ${group}`, (sig) => run(`Signal group ${group}`, () => groupActions.signal(group, sig))),
    gb('Clear logs', () => groupActions.clearlog(group)));
}

function renderList() {
  const groups = new Map();
  for (const p of procs.values()) {
    if (!groups.has(p.info.group)) groups.set(p.info.group, []);
    groups.get(p.info.group).push(p);
  }
  // A program alone in its own group ([program:x]) needs no group buttons: those share one table.
  const single = [...groups.values()].filter((m) => m.length === 1 && m[0].info.name === m[0].info.group).flat();
  const sections = [];
  if (single.length > 0) sections.push(groupSection('Programs', 'Programs', single, null));
  for (const [group, members] of groups) {
    if (members.length === 1 && members[0].info.name === group) continue;
    sections.push(el('div', { 'data-group': group }, groupSection(`Group ${group}`, `Group ${group}`, members, groupBar(group))));
  }
  $('list').replaceChildren(...(sections.length > 0 ? sections : [el('p', { class: 'empty', text: 'No processes configured.' })]));
}

function processRow(p) {
  const ns = namespec(p.info);
  const td = (label, cls) => el('td', { 'data-label': label, class: cls });
  p.cells = {
    state: td('State'), name: td('Name', 'name'), pid: td('PID', 'num'), uptime: td('Uptime', 'num'), exit: td('Exit', 'num'),
    restarts: td('Restarts', 'num'), memory: td('Memory', 'num'), health: td('Health'), desc: td('Description', 'desc'), acts: td('Actions', 'acts'),
  };
  p.cells.name.append(el('a', { href: `#/process/${encodeURIComponent(ns)}`, text: ns }));
  p.cells.acts.append(processButtons(ns, false));
  p.row = el('tr', { 'data-ns': ns }, ...Object.values(p.cells));
  fillRow(p);
  return p.row;
}

function setCell(td, text) {
  td.textContent = text;
  td.classList.toggle('blank', text === '–');
}

function fillRow(p) {
  const { info, cells } = p;
  if (!cells) return;
  cells.state.replaceChildren(stateBadge(info.statename));
  setCell(cells.pid, info.pid > 0 ? String(info.pid) : '–');
  setCell(cells.uptime, uptimeOf(info));
  setCell(cells.exit, exitOf(info));
  setCell(cells.restarts, known(info.restarts));
  setCell(cells.memory, bytes(info.memory));
  healthCell(cells.health, info.health);
  setCell(cells.desc, describe(info));
  p.row.dataset.state = info.statename;
  updateButtons(p.row, info.statename);
}

// ---- one process's view --------------------------------------------------------------------

function renderDetail() {
  const p = procs.get(view.ns);
  $('detail-title').textContent = view.ns;
  const facts = $('detail-facts');
  if (!p) {
    facts.replaceChildren(el('dt', { text: 'State' }), el('dd', { text: 'no such process' }));
    $('detail-actions').replaceChildren();
    return;
  }
  const { info } = p;
  const rows = [['State', stateBadge(info.statename)], ['PID', info.pid > 0 ? String(info.pid) : '–'], ['Uptime', uptimeOf(info)],
    ['Exit status', exitOf(info)], ['Restarts', known(info.restarts)], ['Memory', bytes(info.memory)],
    ['Health', info.health ? `${info.health.state}${info.health.lastError ? ` (last error: ${info.health.lastError})` : ''}` : '–'],
    ['Description', describe(info)], ['Spawn error', info.spawnerr || null]];
  facts.replaceChildren(...rows.filter(([, v]) => v !== null).flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { 'data-fact': k }, v)]));
  if (!$('detail-actions').firstChild) $('detail-actions').append(processButtons(view.ns, true));
  $('detail').dataset.state = info.statename;
  updateButtons($('detail-actions'), info.statename);
}

async function loadHistory(ns) {
  const box = $('history');
  try {
    const ends = await api('GET', `${procPath(ns)}/history`);
    if (view.kind !== 'process' || view.ns !== ns) return;
    if (ends.length === 0) { box.replaceChildren(el('p', { class: 'muted', text: 'It has not ended since the daemon started.' })); return; }
    const cols = ['Stopped', 'Ran', 'Ended by', 'State after', 'Expected', 'Last stderr'];
    box.replaceChildren(el('table', { class: 'procs' },
      el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', { scope: 'col', text: c })))),
      el('tbody', {}, ...ends.map((e) => el('tr', {},
        el('td', { 'data-label': cols[0], class: 'num', text: new Date(e.stop * 1000).toLocaleString() }),
        el('td', { 'data-label': cols[1], class: 'num', text: uptime(e.duration_ms / 1000) }),
        el('td', { 'data-label': cols[2], text: e.stopped_for ? `${e.description} (${e.stopped_for})` : e.description }),
        el('td', { 'data-label': cols[3] }, stateBadge(e.statename)),
        el('td', { 'data-label': cols[4], text: e.expected ? 'yes' : 'no' }),
        el('td', { 'data-label': cols[5], class: 'desc', text: e.stderr.slice(-3).join('\n') || '–' }))))));
  } catch (e) {
    box.replaceChildren(el('p', { class: 'muted', text: `History unavailable: ${e.message}` }));
  }
}

/** Follows /logtail/NAME/CHANNEL (the daemon follows the file across rotation) until stopped. */
function startTail(ns, channel) {
  stopTail();
  const pre = $('tail');
  pre.textContent = '';
  const abort = new AbortController();
  tail = { ns, channel, abort };
  for (const ch of ['stdout', 'stderr']) $(`tail-${ch}`).setAttribute('aria-pressed', String(ch === channel));
  const status = (t) => { if (tail?.abort === abort) $('tail-state').textContent = t; };
  (async () => {
    while (!abort.signal.aborted) {
      try {
        const res = await fetch(`/logtail/${encodeURIComponent(ns)}/${channel}`, { signal: abort.signal });
        // No such log (stdout_logfile=NONE, or gone): nothing to follow until the view reopens.
        if (res.status === 404) { status('no log file'); return; }
        if (!res.ok) { status(`${res.status} ${res.statusText}`); }
        else {
          status('following');
          const reader = res.body.getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
            const text = pre.textContent + decoder.decode(value, { stream: true });
            pre.textContent = text.length > TAIL_MAX_CHARS ? text.slice(-TAIL_MAX_CHARS) : text;
            if (atEnd) pre.scrollTop = pre.scrollHeight;
          }
          status('stream ended, reconnecting…');
        }
      } catch (e) {
        if (abort.signal.aborted) return;
        status(`disconnected (${e.message}), reconnecting…`);
      }
      await new Promise((r) => setTimeout(r, 2000));
      if (!abort.signal.aborted) pre.textContent = '';
    }
  })();
}

function stopTail() {
  tail?.abort.abort();
  tail = null;
}

// ---- routing, live feed -------------------------------------------------------------------

function route() {
  const m = /^#\/process\/(.+)$/u.exec(location.hash);
  const next = m ? { kind: 'process', ns: decodeURIComponent(m[1]) } : { kind: 'list' };
  const same = next.kind === view.kind && next.ns === view.ns;
  view = next;
  $('list').hidden = view.kind !== 'list';
  $('detail').hidden = view.kind !== 'process';
  if (view.kind === 'list') { stopTail(); document.title = 'tssupervisor'; return; }
  document.title = `${view.ns} – tssupervisor`;
  if (same) return;
  $('detail-actions').replaceChildren();
  renderDetail();
  startTail(view.ns, 'stdout');
  void loadHistory(view.ns);
}

/** While the full list is on its way, processes that changed meanwhile: refetched once it lands. */
let changedDuringLoad = null;

async function loadAll() {
  const changed = new Set();
  changedDuringLoad = changed;
  try {
    const list = await api('GET', '/api/v1/processes');
    procs.clear();
    for (const info of list) procs.set(namespec(info), { info, seq: 0 });
    if (list.length > 0) skew = list[0].now - Date.now() / 1000;
    renderList();
    if (view.kind === 'process') renderDetail();
  } catch (e) {
    notify(`Could not load the process list: ${e.message}`);
  } finally {
    if (changedDuringLoad === changed) changedDuringLoad = null;
  }
  // The list may predate an event that arrived before it did.
  for (const ns of changed) void refreshOne(ns);
}

async function refreshOne(ns) {
  const p = procs.get(ns);
  if (!p) return loadAll();
  const seq = ++p.seq;
  try {
    const info = await api('GET', procPath(ns));
    if (p.seq !== seq) return; // a newer event's answer is on its way
    p.info = info;
    skew = info.now - Date.now() / 1000;
    fillRow(p);
    if (view.kind === 'process' && view.ns === ns) renderDetail();
  } catch {
    // Removed meanwhile: the group event that follows reloads the list.
  }
}

function onState(msg) {
  const ns = namespec(msg);
  changedDuringLoad?.add(ns);
  const p = procs.get(ns);
  if (!p) { void loadAll(); return; }
  // Shown at once; the refetch fills pid, times and exit status in a moment.
  p.info = { ...p.info, statename: msg.to, pid: msg.pid };
  fillRow(p);
  if (view.kind === 'process' && view.ns === ns) {
    renderDetail();
    if (!BUSY_STATES.has(msg.to)) void loadHistory(ns);
  }
  void refreshOne(ns);
}

function connect() {
  const live = $('live');
  if (typeof EventSource === 'undefined') { live.textContent = 'no live updates'; void loadAll(); return; }
  const es = new EventSource('/api/v1/events');
  es.addEventListener('hello', () => {
    live.textContent = 'live';
    live.classList.add('on');
    void loadAll();
  });
  es.addEventListener('state', (e) => onState(JSON.parse(e.data)));
  es.addEventListener('group-added', () => void loadAll());
  es.addEventListener('group-removed', () => void loadAll());
  es.addEventListener('error', () => {
    live.classList.remove('on');
    live.textContent = 'reconnecting…';
    // The browser retries by itself unless the answer was an error status; then we do, later.
    if (es.readyState === EventSource.CLOSED) {
      live.textContent = 'no live updates';
      void loadAll();
      setTimeout(connect, 5000);
    }
  });
}

$('refresh').addEventListener('click', () => void loadAll());
$('tail-stdout').addEventListener('click', () => { if (view.kind === 'process') startTail(view.ns, 'stdout'); });
$('tail-stderr').addEventListener('click', () => { if (view.kind === 'process') startTail(view.ns, 'stderr'); });
window.addEventListener('hashchange', route);
setInterval(() => {
  for (const p of procs.values()) if (p.cells && running(p.info)) setCell(p.cells.uptime, uptimeOf(p.info));
  if (view.kind === 'process') {
    const dd = document.querySelector('[data-fact="Uptime"]');
    const p = procs.get(view.ns);
    if (dd && p) dd.textContent = uptimeOf(p.info);
  }
}, 1000);
route();
connect();
