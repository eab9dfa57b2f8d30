// Readiness latency: the time from a dependency becoming ready (its port accepting, its READY=1
// sent, its "up" line printed) to its dependent being spawned, for `ready=tcp:`, `notify` and
// `log:`. Ten dependency/dependent pairs per kind start at once; the dependency becomes ready
// 0.5-1.4 s after its spawn (bench/fixtures/ready-after.py notes the exact moment in a file, and
// prints nothing a probe could take as a hint), and the
// dependent's `spawned:` line in the main log says when it was spawned.
// Targets: median < 50 ms for tcp (tried every 50 ms), < 5 ms for notify and log.
// supervisord has neither ready= nor depends_on (its priority never waits), so there is no ratio:
// the supervisord column shows how early it spawns the dependent instead (negative: before the
// dependency was ready).
//
//   node bench/readiness.mjs
//   BENCH_DAEMONS=tssupervisord node bench/readiness.mjs

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  OURS, THEIRS, REPO_ROOT, forEachDaemon, inTempDir, isMain, median, percentile, printTable, readMainLog,
  removeTempDir, startDaemon, stopDaemon, supervisordSection, waitFor, writeConfig,
} from './lib.mjs';

export const title = 'readiness latency (dependency ready -> dependent spawned, 10 pairs per probe kind)';

const PAIRS = 10;
const KINDS = ['tcp', 'notify', 'log'];
const FIXTURE = join(REPO_ROOT, 'bench', 'fixtures', 'ready-after.py');

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function config(dir) {
  let text = supervisordSection(dir);
  const pairs = [];
  for (const kind of KINDS) {
    for (let i = 0; i < PAIRS; i++) {
      const port = await freePort();
      const dep = `${kind}_dep_${i}`;
      // Delays off any poll interval's grid (137 ms apart), so no pair is phase-locked to its probe.
      const delay = (0.5 + i * 0.137).toFixed(3);
      const ready = kind === 'tcp' ? `tcp:127.0.0.1:${port}` : kind === 'notify' ? 'notify' : 'log:service is up';
      text += `
[program:${dep}]
command=/usr/bin/python3 -u ${FIXTURE} ${kind} ${delay} ${port} ${join(dir, `${dep}.ready`)}
startsecs=0
ready=${ready}
stdout_logfile=${join(dir, `${dep}.out`)}
stderr_logfile=NONE

[program:${kind}_child_${i}]
command=/bin/sleep 3600
startsecs=0
depends_on=${dep}
stdout_logfile=NONE
stderr_logfile=NONE
`;
      pairs.push({ kind, dep, child: `${kind}_child_${i}` });
    }
  }
  return { text, pairs };
}

function readyAt(dir, dep) {
  try {
    const m = /READY_AT (\d+)/u.exec(readFileSync(join(dir, `${dep}.ready`), 'utf8'));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

async function measure(name) {
  return inTempDir('tssupervisor-bench-ready-', async (dir, logPath) => {
    const { text, pairs } = await config(dir);
    const daemon = await startDaemon(name, writeConfig(dir, text));
    const spawnedAt = () => new Map(readMainLog(logPath).flatMap((e) => {
      const m = /^spawned: '([^']+)' with pid/u.exec(e.message);
      return m === null ? [] : [[m[1], e.timeMs]];
    }));
    try {
      await waitFor(() => pairs.every((p) => spawnedAt().has(p.child) && readyAt(dir, p.dep) !== undefined),
        { timeoutMs: 60_000, what: 'every dependent spawned', daemon });
    } finally {
      await stopDaemon(daemon);
    }
    const spawned = spawnedAt();
    const byKind = {};
    for (const kind of KINDS) {
      const gaps = pairs.filter((p) => p.kind === kind).map((p) => (spawned.get(p.child) ?? NaN) - (readyAt(dir, p.dep) ?? NaN));
      byKind[kind] = { median: median(gaps), p99: percentile(gaps, 99) };
    }
    removeTempDir(dir);
    return byKind;
  });
}

export async function run() {
  const r = await forEachDaemon(measure);
  const rows = [];
  for (const kind of KINDS) {
    rows.push({ metric: `${kind}: ready -> dependent spawned, median (ms)`, [OURS]: r[OURS]?.[kind]?.median, [THEIRS]: r[THEIRS]?.[kind]?.median, digits: 1 });
    rows.push({ metric: `${kind}: ready -> dependent spawned, max (ms)`, [OURS]: r[OURS]?.[kind]?.p99, [THEIRS]: r[THEIRS]?.[kind]?.p99, digits: 1 });
  }
  const notes = r.errors.map((e) => `error: ${e}`);
  notes.push(`${THEIRS} ignores ready= and depends_on: its negative figures are dependents spawned before their dependency was ready`);
  const target = { tcp: 50, notify: 5, log: 5 };
  if (r[OURS]) {
    for (const kind of KINDS) {
      const m = r[OURS][kind].median;
      notes.push(`target: ${kind} median < ${target[kind]} ms: ${m < target[kind] ? 'MET' : 'NOT MET'} (${m.toFixed(1)} ms)`);
    }
  }
  return { title, rows, notes };
}

if (isMain(import.meta.url)) {
  const { rows, notes } = await run();
  printTable(title, rows, notes);
}
