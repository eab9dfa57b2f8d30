// Footprint and speed at scale (issue 13): N idle programs, each with its own stdout and stderr log
// file, under tssupervisord and Python supervisord in the same run. Per N and daemon: time to N
// children spawned and to N RUNNING, settled and peak RSS, ctl status / pid / stop all / start all
// wall times and the SIGTERM exit time; then RSS per program (least-squares slope over N).
// Each figure is the median of BENCH_SCALE_ROUNDS rounds; within a round the daemons alternate, so
// a slow phase of the (shared) machine does not land on one side only.
//
//   node bench/scale.mjs
//   BENCH_SCALE_COUNTS=0,100 BENCH_SCALE_ROUNDS=1 node bench/scale.mjs     quick look
//   BENCH_DAEMONS=tssupervisord node bench/scale.mjs                      one side only

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  OURS, THEIRS, childPids, countLogLines, envNumber, isMain, makeTempDir, median, ourCtlCommand, printTable,
  readMainLog, removeTempDir, selectedDaemons, startDaemon, stopDaemon, supervisordAvailable, supervisordSection,
  trackChildren, waitFor, writeConfig,
} from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** BENCH_SCALE_COUNTS: comma list of program counts; 0 is allowed (the empty daemon's baseline). */
function scaleCounts() {
  const raw = process.env.BENCH_SCALE_COUNTS ?? '0,100,1000,3000';
  const counts = raw.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new Error(`BENCH_SCALE_COUNTS must be a comma list of integers >= 0, got '${raw}'`);
  }
  return counts;
}

const COUNTS = scaleCounts();
const ROUNDS = envNumber('BENCH_SCALE_ROUNDS', 2);
const CTL_RUNS = 5;
// RSS is read this long after the last RUNNING, once start-up garbage has had time to be collected.
const SETTLE_MS = 3_000;

export const title = `scale (programs ${COUNTS.join('/')}, 2 log files each, median of ${ROUNDS} round(s))`;

function config(dir, n) {
  let text = `[unix_http_server]\nfile=${dir}/s.sock\n\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n[supervisorctl]\nserverurl=unix://${dir}/s.sock\n\n`;
  text += supervisordSection(dir, { minfds: nofileFor(n) });
  for (let i = 0; i < n; i++) {
    // Explicit files rather than AUTO: AUTO names are random, and both daemons must write the same set.
    text += `\n[program:p_${i}]\ncommand=/bin/sleep 3600\nstartsecs=1\nstdout_logfile=${dir}/p_${i}.out\nstderr_logfile=${dir}/p_${i}.err\n`;
  }
  return text;
}

// Two log fds per program plus pipes per child, with headroom for the daemon itself.
const nofileFor = (n) => Math.max(1024, n * 4 + 256);

const CTL = {
  [OURS]: (conf, ...args) => ourCtlCommand(['-c', conf, ...args]),
  [THEIRS]: (conf, ...args) => ['/usr/bin/supervisorctl', ['-c', conf, ...args]],
};

/** Run the daemon's ctl once; returns { ms, status, stdout }. Exit 3 (some process not running) is not an error. */
function ctl(name, conf, ...args) {
  const [cmd, argv] = CTL[name](conf, ...args);
  const t0 = process.hrtime.bigint();
  const run = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (run.status !== 0 && run.status !== 3) {
    throw new Error(`${name} ctl ${args.join(' ')} exited ${run.status ?? run.signal}: ${(run.stderr || run.stdout).slice(0, 500)}`);
  }
  return { ms, status: run.status, stdout: run.stdout };
}

function ctlMedian(name, conf, ...args) {
  const times = [];
  for (let i = 0; i < CTL_RUNS; i++) times.push(ctl(name, conf, ...args).ms);
  return median(times);
}

/** VmRSS and VmHWM of `pid` in MB (from /proc/<pid>/status). */
function memoryMB(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

const RUNNING_LINE = / INFO success: p_\d+ entered RUNNING state/;

/** Number of status lines in a RUNNING state, and the number of lines. */
function statusCounts(stdout) {
  const lines = stdout.split('\n').filter((l) => /^p_\d+\s/.test(l));
  return { total: lines.length, running: lines.filter((l) => /\sRUNNING\s/.test(l)).length };
}

// Every round's folder stays until the scenario ends. A round that deleted its 2N log files
// would tax the next one: ext4 without a journal (this machine's root) passes over every inode
// freed in the last 60 s (360 s while its table block is dirty) when it allocates one, so after a
// few rounds of deletes each create cost ~0.7 ms of kernel CPU instead of ~20 us (2000 creates:
// 1.4 s rather than 0.04 s), charged to whichever daemon came next. A host starting its
// supervisor has not just deleted thousands of files. (Runs of this scenario minutes apart still
// see the last one's deletes.)
const roundDirs = [];

/** One daemon, one count: every figure of a round. */
async function measureOnce(name, n) {
  const dir = makeTempDir('tss-scale-');
  const logPath = join(dir, 'supervisord.log');
  const conf = writeConfig(dir, config(dir, n));
  const timeoutMs = Math.max(60_000, n * 100);
  const launchWall = Date.now();
  const daemon = await startDaemon(name, conf, { nofile: nofileFor(n) });
  const r = {};
  try {
    if (n > 0) {
      await waitFor(() => childPids(daemon.pid).length >= n, {
        timeoutMs, intervalMs: 20, what: `${n} children spawned`, daemon,
      });
      r.spawned = Date.now() - launchWall;
      await waitFor(() => countLogLines(logPath, RUNNING_LINE) >= n, {
        timeoutMs, intervalMs: 100, what: `${n} programs RUNNING`, daemon,
      });
      // The log's own timestamp of the last success line: free of this poll's interval.
      const successes = readMainLog(logPath).filter((e) => /^success: p_\d+ entered RUNNING state/.test(e.message));
      r.running = successes[successes.length - 1].timeMs - launchWall;
    }
    trackChildren(daemon);
    await waitFor(() => existsSync(join(dir, 's.sock')), { timeoutMs, intervalMs: 20, what: 'control socket', daemon });
    await sleep(SETTLE_MS);
    const mem = memoryMB(daemon.pid);
    r.rss = mem.rss;
    r.hwm = mem.hwm;

    r.status = ctlMedian(name, conf, 'status');
    r.pid = ctlMedian(name, conf, 'pid');

    r.stopAll = ctl(name, conf, 'stop', 'all').ms;
    const afterStop = statusCounts(ctl(name, conf, 'status').stdout);
    if (afterStop.total !== n || afterStop.running !== 0) {
      throw new Error(`after stop all: ${afterStop.running} of ${afterStop.total} status lines RUNNING (want 0 of ${n})`);
    }
    r.startAll = ctl(name, conf, 'start', 'all').ms;
    const afterStart = statusCounts(ctl(name, conf, 'status').stdout);
    if (afterStart.running !== n) throw new Error(`after start all: ${afterStart.running} of ${n} RUNNING`);
    trackChildren(daemon);
  } finally {
    const { exitMs } = await stopDaemon(daemon);
    r.exit = exitMs;
  }
  // A failed round's folder is kept (its logs say why), as removeTempDir would for BENCH_KEEP.
  roundDirs.push(dir);
  return r;
}

const FIGURES = [
  ['spawned', 'launch -> N children spawned (ms)', 0],
  ['running', 'launch -> N RUNNING (ms)', 0],
  ['rss', 'settled RSS (MB)', 1],
  ['hwm', 'peak RSS, VmHWM (MB)', 1],
  ['status', `ctl status, median of ${CTL_RUNS} (ms)`, 1],
  ['pid', `ctl pid, median of ${CTL_RUNS} (ms)`, 1],
  ['stopAll', 'ctl stop all (ms)', 0],
  ['startAll', 'ctl start all (ms)', 0],
  ['exit', 'SIGTERM -> exit (ms)', 0],
];

/** Least-squares slope of y over x (KB per program when y is MB); NaN with fewer than 2 distinct x. */
export function slope(points) {
  if (new Set(points.map((p) => p.x)).size < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / points.length;
  const my = points.reduce((s, p) => s + p.y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return num / den;
}

// Targets are on our daemon; `at` is the program count the figure is taken at.
const TARGETS = [
  { label: 'RSS@1000 <= 80 MB', at: 1000, key: 'rss', max: 80, unit: 'MB' },
  { label: 'slope <= 15 KB/program', key: 'slope', max: 15, unit: 'KB' },
  { label: 'peak RSS@1000 <= 100 MB', at: 1000, key: 'hwm', max: 100, unit: 'MB' },
  { label: 'RSS@0 <= 62 MB', at: 0, key: 'rss', max: 62, unit: 'MB' },
  { label: 'spawned@1000 <= 1500 ms', at: 1000, key: 'spawned', max: 1500, unit: 'ms' },
  { label: 'RUNNING@1000 <= 2500 ms', at: 1000, key: 'running', max: 2500, unit: 'ms' },
  { label: 'start all@1000 <= 1500 ms', at: 1000, key: 'startAll', max: 1500, unit: 'ms' },
  { label: 'stop all@1000 <= 200 ms', at: 1000, key: 'stopAll', max: 200, unit: 'ms' },
  { label: 'ctl status@1000 <= 150 ms', at: 1000, key: 'status', max: 150, unit: 'ms' },
  { label: 'ctl pid <= 80 ms (worst over N)', key: 'pid', max: 80, unit: 'ms', worst: true },
];

export async function run() {
  const daemons = selectedDaemons().filter((d) => d !== THEIRS || supervisordAvailable());
  const errors = [];
  // samples[n][daemon][figure] = [value per round]
  const samples = {};
  for (const n of COUNTS) {
    samples[n] = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of daemons) {
        console.error(`  N=${n} round ${round + 1}/${ROUNDS}: ${name} ...`);
        try {
          const r = await measureOnce(name, n);
          samples[n][name] ??= {};
          for (const [k, v] of Object.entries(r)) (samples[n][name][k] ??= []).push(v);
        } catch (e) {
          const msg = `N=${n} round ${round + 1} ${name}: ${e instanceof Error ? e.message : String(e)}`;
          console.error(`  error: ${msg}`);
          errors.push(msg);
        }
      }
    }
  }
  for (const dir of roundDirs.splice(0)) removeTempDir(dir);
  const fig = (n, name, key) => {
    const v = samples[n]?.[name]?.[key];
    return v && v.length ? median(v) : undefined;
  };
  const rows = [];
  for (const n of COUNTS) {
    for (const [key, label, digits] of FIGURES) {
      if (n === 0 && (key === 'spawned' || key === 'running')) continue;
      rows.push({ metric: `N=${n} ${label}`, [OURS]: fig(n, OURS, key), [THEIRS]: fig(n, THEIRS, key), digits });
    }
  }
  const slopes = {};
  for (const name of daemons) {
    const points = COUNTS.map((n) => ({ x: n, y: fig(n, name, 'rss') })).filter((p) => p.y !== undefined);
    slopes[name] = slope(points) * 1024;
  }
  rows.push({ metric: 'per-program RSS slope (KB)', [OURS]: slopes[OURS], [THEIRS]: slopes[THEIRS], digits: 1 });

  const notes = errors.map((e) => `error: ${e}`);
  // startsecs=1: the last child cannot be RUNNING sooner than 1 s after it was spawned (the spawn
  // poll lags the fork by at most ~20 ms); sooner means the daemon counts startsecs from elsewhere.
  for (const n of COUNTS) {
    for (const name of daemons) {
      const spawned = fig(n, name, 'spawned');
      const running = fig(n, name, 'running');
      if (spawned !== undefined && running !== undefined && running < spawned + 1000 - 50) {
        notes.push(`note: N=${n} ${name}: N RUNNING ${(spawned + 1000 - running).toFixed(0)} ms sooner than startsecs after the last spawn`);
      }
    }
  }
  for (const t of TARGETS) {
    let value;
    if (t.key === 'slope') value = slopes[OURS];
    else if (t.worst) {
      const vs = COUNTS.map((n) => fig(n, OURS, t.key)).filter((v) => v !== undefined);
      value = vs.length ? Math.max(...vs) : undefined;
    } else if (COUNTS.includes(t.at)) value = fig(t.at, OURS, t.key);
    if (value === undefined || !Number.isFinite(value)) {
      notes.push(`target: ${t.label}: not measured`);
      continue;
    }
    notes.push(`target: ${t.label}: ${value <= t.max ? 'MET' : 'NOT MET'} (${OURS} ${value.toFixed(1)} ${t.unit})`);
  }
  return { title, rows, notes };
}

if (isMain(import.meta.url)) {
  const { rows, notes } = await run();
  printTable(title, rows, notes);
}
