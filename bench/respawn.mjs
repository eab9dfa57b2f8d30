// Respawn latency: 20 programs that run 1.5 s then exit 1, autorestart=true.
// From the daemon's main log, the gap between each `exited: crash_N (...)` line and the next
// `spawned: 'crash_N' with pid ...` line for the same program (ms). Target: our median < 5 ms.
//
//   node bench/respawn.mjs                  both daemons
//   BENCH_DAEMONS=supervisord node bench/respawn.mjs
//   BENCH_SECONDS=12                        measurement window (default 12)

import {
  OURS, THEIRS, inTempDir, envNumber, forEachDaemon, isMain, median, percentile, printTable,
  readMainLog, removeTempDir, startDaemon, stopDaemon, supervisordSection, trackChildren, waitFor, writeConfig,
} from './lib.mjs';

export const title = 'respawn latency (20 programs: sleep 1.5; exit 1; autorestart)';

const PROGRAMS = 20;

function config(dir) {
  let text = supervisordSection(dir);
  for (let i = 0; i < PROGRAMS; i++) {
    text += `
[program:crash_${i}]
command=/bin/sh -c "sleep 1.5; exit 1"
autorestart=true
startsecs=1
stdout_logfile=NONE
stderr_logfile=NONE
`;
  }
  return text;
}

const EXITED = /^exited: (\S+) \(/;
const SPAWNED = /^spawned: '([^']+)' with pid \d+/;

/** Gaps (ms) between each `exited: X` and the next `spawned: 'X'` in parsed log entries. */
export function respawnGaps(entries) {
  const pendingExit = new Map();
  const gaps = [];
  for (const e of entries) {
    let m = EXITED.exec(e.message);
    if (m) {
      pendingExit.set(m[1], e.timeMs);
      continue;
    }
    m = SPAWNED.exec(e.message);
    if (m && pendingExit.has(m[1])) {
      gaps.push(e.timeMs - pendingExit.get(m[1]));
      pendingExit.delete(m[1]);
    }
  }
  return gaps;
}

async function measure(name) {
  return inTempDir('tssupervisor-bench-respawn-', (dir, logPath) => measureIn(name, dir, logPath));
}

async function measureIn(name, dir, logPath) {
  const seconds = envNumber('BENCH_SECONDS', 12);
  const daemon = await startDaemon(name, writeConfig(dir, config(dir)));
  try {
    const spawnedCount = () => readMainLog(logPath).filter((e) => SPAWNED.test(e.message)).length;
    await waitFor(() => spawnedCount() >= PROGRAMS, { timeoutMs: 60_000, what: `${PROGRAMS} initial spawns`, daemon });
    // Fixed measurement window; keep a record of children so stopDaemon can reap leftovers.
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      if (daemon.exited) throw new Error(`${name} exited during the run (${daemon.exitDescription()})${daemon.outputTail()}`);
      trackChildren(daemon);
      await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, end - Date.now()))));
    }
  } finally {
    await stopDaemon(daemon);
  }
  const gaps = respawnGaps(readMainLog(logPath));
  removeTempDir(dir);
  if (gaps.length === 0) throw new Error('no exited -> spawned pairs found in the log');
  return { samples: gaps.length, median: median(gaps), p99: percentile(gaps, 99), max: Math.max(...gaps) };
}

export async function run() {
  const r = await forEachDaemon(measure);
  const row = (metric, key, digits = 1) => ({ metric, [OURS]: r[OURS]?.[key], [THEIRS]: r[THEIRS]?.[key], digits });
  const rows = [
    row('exited -> spawned median (ms)', 'median'),
    row('exited -> spawned p99 (ms)', 'p99'),
    row('exited -> spawned max (ms)', 'max'),
    row('samples', 'samples', 0),
  ];
  const notes = r.errors.map((e) => `error: ${e}`);
  if (r[OURS]) notes.push(`target: ${OURS} median < 5 ms: ${r[OURS].median < 5 ? 'MET' : 'NOT MET'} (${r[OURS].median.toFixed(1)} ms)`);
  return { title, rows, notes };
}

if (isMain(import.meta.url)) {
  const { rows, notes } = await run();
  printTable(title, rows, notes);
}
