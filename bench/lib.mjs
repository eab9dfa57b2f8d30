// Shared helpers for the tssupervisor benchmarks (plain ESM, Node 20 built-ins only).
//
// Every scenario runs the same generated config under our daemon
// (`node bin/tssupervisord.js -c FILE -n`) and under Python supervisord
// (`/usr/bin/supervisord -c FILE -n`), both in the foreground, and compares.
//
// Environment:
//   BENCH_DAEMONS   comma list of daemons to run: tssupervisord,supervisord (default: both)
//   BENCH_KEEP=1    keep the temp config/log directories (their paths are printed)
//   BENCH_SUPERVISORD  path of Python supervisord (default /usr/bin/supervisord)
//   BENCH_VIA_NODE=1   run ours as `node bin/tssupervisord.js` (and the ctl likewise) rather than as the commands

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PYTHON_SUPERVISORD = process.env.BENCH_SUPERVISORD ?? '/usr/bin/supervisord';
export const OURS = 'tssupervisord';
export const THEIRS = 'supervisord';
export const CLK_TCK = 100;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- environment

export function supervisordAvailable() {
  return existsSync(PYTHON_SUPERVISORD);
}

/** Daemons to benchmark, in run order, from BENCH_DAEMONS (default: both). */
export function selectedDaemons() {
  const raw = (process.env.BENCH_DAEMONS ?? `${OURS},${THEIRS}`).split(',').map((s) => s.trim()).filter(Boolean);
  const known = new Set([OURS, THEIRS]);
  for (const d of raw) {
    if (!known.has(d)) throw new Error(`BENCH_DAEMONS: unknown daemon '${d}' (known: ${OURS}, ${THEIRS})`);
  }
  return raw;
}

export function envNumber(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${v}'`);
  return n;
}

/** True when the module whose import.meta.url is given is the process entry point. */
export function isMain(metaUrl) {
  return process.argv[1] !== undefined && metaUrl === pathToFileURL(resolve(process.argv[1])).href;
}

// ---------------------------------------------------------------- temp dirs / configs

/** Create a fresh temp dir; returns its path. */
export function makeTempDir(prefix = 'tssupervisor-bench-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write `text` as `<dir>/<name>` and return the path. */
/**
 * Runs `measure(dir, logPath)` in a fresh temp dir (its supervisord.log at logPath). On failure the
 * dir is kept and named in the error, so the daemon's logs can be read.
 */
export async function inTempDir(prefix, measure) {
  const dir = makeTempDir(prefix);
  try {
    return await measure(dir, join(dir, 'supervisord.log'));
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n  (logs kept in ${dir})`);
  }
}

export function writeConfig(dir, text, name = 'supervisord.conf') {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

export function removeTempDir(dir) {
  if (process.env.BENCH_KEEP === '1') {
    console.error(`  (kept ${dir})`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The `[supervisord]` section every scenario uses: log + pid file inside `dir`, foreground. */
export function supervisordSection(dir, extra = {}) {
  const opts = {
    logfile: join(dir, 'supervisord.log'),
    logfile_maxbytes: '0',
    loglevel: 'info',
    pidfile: join(dir, 'supervisord.pid'),
    childlogdir: dir,
    nodaemon: 'true',
    ...extra,
  };
  return `[supervisord]\n${Object.entries(opts).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

/** `count` idle programs `sleep_0 …` (/bin/sleep 3600, startsecs=1, no logs), each with `extra` keys. */
export function sleepPrograms(count, extra = '') {
  let text = '';
  for (let i = 0; i < count; i++) {
    text += `
[program:sleep_${i}]
command=/bin/sleep 3600
startsecs=1
stdout_logfile=NONE
stderr_logfile=NONE
${extra}`;
  }
  return text;
}

// ---------------------------------------------------------------- /proc helpers

/** Parse /proc/<pid>/stat; returns null if the process is gone. */
export function procStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm may contain spaces/parens: fields resume after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  return {
    state: rest[0],
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    utime: Number(rest[11]),
    stime: Number(rest[12]),
    cutime: Number(rest[13]),
    cstime: Number(rest[14]),
    starttime: Number(rest[19]),
  };
}

/** CPU seconds (user + system, all threads) used so far by `pid` itself (not its children). */
export function cpuSeconds(pid) {
  const st = procStat(pid);
  if (!st) throw new Error(`process ${pid} is gone`);
  return (st.utime + st.stime) / CLK_TCK;
}

/**
 * On-CPU seconds of `pid` summed over its live threads from /proc/<pid>/task/*\/schedstat
 * (nanosecond resolution, unlike the 10 ms ticks of /proc/<pid>/stat; time of threads that
 * already exited is not included). NaN if unavailable.
 */
export function cpuSecondsPrecise(pid) {
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return NaN;
  }
  let ns = 0;
  for (const t of tasks) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // thread exited between readdir and read
    }
  }
  return ns / 1e9;
}

/** Direct children of `pid` (all threads), via /proc/<pid>/task/*\/children. */
export function childPids(pid) {
  const out = new Set();
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const t of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/)) {
        if (c) out.add(Number(c));
      }
    } catch {
      // task vanished
    }
  }
  return [...out];
}

/** All descendants of `pid` as [{pid, starttime}] (starttime guards against pid reuse). */
export function descendants(pid) {
  const result = [];
  const queue = [pid];
  const seen = new Set([pid]);
  while (queue.length > 0) {
    const p = queue.shift();
    for (const c of childPids(p)) {
      if (seen.has(c)) continue;
      seen.add(c);
      const st = procStat(c);
      if (st) result.push({ pid: c, starttime: st.starttime });
      queue.push(c);
    }
  }
  return result;
}

function sameProcessAlive({ pid, starttime }) {
  const st = procStat(pid);
  return st !== null && st.starttime === starttime && st.state !== 'Z';
}

function currentNofile() {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  const num = (s) => (s === 'unlimited' ? Infinity : Number(s));
  return m ? { soft: num(m[1]), hard: num(m[2]) } : { soft: 1024, hard: 1024 };
}

// ---------------------------------------------------------------- polling

/**
 * Poll `predicate` (sync or async) every `intervalMs` until it returns a truthy value, which is
 * returned. Throws after `timeoutMs` (max 60 s unless explicitly larger), or as soon as
 * `daemon` (optional) has exited.
 */
export async function waitFor(predicate, { timeoutMs = 60_000, intervalMs = 50, what = 'condition', daemon } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (daemon && daemon.exited) {
      throw new Error(`${daemon.name} exited (${daemon.exitDescription()}) while waiting for ${what}${daemon.outputTail()}`);
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------- daemons

/**
 * Our ctl as the installed command runs (`tssupervisorctl`: the bin's shebang, which leaves
 * NODE_EXTRA_CA_CERTS out); BENCH_VIA_NODE=1: `node bin/tssupervisorctl.js`, as the daemon's.
 * Returns [cmd, args] for `args` after the program.
 */
export function ourCtlCommand(args) {
  const bin = join(REPO_ROOT, 'bin', 'tssupervisorctl.js');
  return process.env.BENCH_VIA_NODE === '1' ? [process.execPath, [bin, ...args]] : [bin, args];
}

function daemonCommand(name, configPath) {
  if (name === OURS) {
    // As the installed command runs (`tssupervisord`: the bin's shebang gives node the daemon's
    // V8 flags). BENCH_VIA_NODE=1 runs `node bin/tssupervisord.js` instead, which first relaunches
    // itself with those flags (one more node start, ~50 ms here).
    const bin = join(REPO_ROOT, 'bin', 'tssupervisord.js');
    return process.env.BENCH_VIA_NODE === '1'
      ? { cmd: process.execPath, args: [bin, '-c', configPath, '-n'] }
      : { cmd: bin, args: ['-c', configPath, '-n'] };
  }
  if (name === THEIRS) {
    return { cmd: PYTHON_SUPERVISORD, args: ['-c', configPath, '-n'] };
  }
  throw new Error(`unknown daemon ${name}`);
}

/**
 * Start `name` (OURS or THEIRS) in the foreground with `configPath`, in its own process group.
 * stdout/stderr go to files next to the config. `nofile`: minimum RLIMIT_NOFILE for the daemon
 * (raised through prlimit, which execs in place so the pid is the daemon's).
 * Resolves once the process has been spawned; use waitFor() for readiness.
 */
export async function startDaemon(name, configPath, { nofile } = {}) {
  let { cmd, args } = daemonCommand(name, configPath);
  if (nofile) {
    const cur = currentNofile();
    if (cur.soft < nofile) {
      const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
      const target = isRoot ? nofile : Math.min(nofile, cur.hard);
      if (target < nofile) console.error(`  warning: RLIMIT_NOFILE hard limit ${cur.hard} < wanted ${nofile}`);
      if (target > cur.soft) {
        args = [`--nofile=${target}:${Math.max(target, isRoot ? target : cur.hard)}`, '--', cmd, ...args];
        cmd = '/usr/bin/prlimit';
      }
    }
  }
  const dir = dirname(configPath);
  const outPath = join(dir, `${name}.stdout`);
  const errPath = join(dir, `${name}.stderr`);
  const outFd = openSync(outPath, 'w');
  const errFd = openSync(errPath, 'w');
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', outFd, errFd], detached: true });
  closeSync(outFd);
  closeSync(errFd);

  const daemon = {
    name,
    child,
    pid: undefined,
    configPath,
    dir,
    exited: false,
    exitCode: null,
    exitSignal: null,
    /** Last known descendants; refreshed by trackChildren() and stopDaemon(). */
    knownChildren: new Map(),
    exitDescription() {
      return this.exitSignal ? `signal ${this.exitSignal}` : `exit code ${this.exitCode}`;
    },
    outputTail(lines = 15) {
      const tail = (p) => {
        try {
          return readFileSync(p, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
        } catch {
          return '';
        }
      };
      const parts = [tail(errPath), tail(outPath)].filter(Boolean);
      return parts.length ? `\n--- ${name} output (tail) ---\n${parts.join('\n')}` : '';
    },
  };
  daemon.exitPromise = new Promise((res) => {
    child.once('exit', (code, signal) => {
      daemon.exited = true;
      daemon.exitCode = code;
      daemon.exitSignal = signal;
      res();
    });
  });
  await new Promise((res, rej) => {
    child.once('spawn', res);
    child.once('error', rej);
  });
  daemon.pid = child.pid;
  return daemon;
}

/** Record the daemon's current descendants so stopDaemon() can reap leftovers by pid. */
export function trackChildren(daemon) {
  if (daemon.exited) return daemon.knownChildren.size;
  for (const d of descendants(daemon.pid)) daemon.knownChildren.set(`${d.pid}:${d.starttime}`, d);
  return daemon.knownChildren.size;
}

/**
 * SIGTERM the daemon and wait for it to exit (it stops its children itself). After
 * `timeoutMs` (60 s) SIGKILL its process group. Finally SIGKILL, by pid, any descendant we saw
 * that is still alive. Returns { exitMs, leftovers }.
 */
export async function stopDaemon(daemon, { timeoutMs = 60_000 } = {}) {
  trackChildren(daemon);
  const t0 = Date.now();
  if (!daemon.exited) {
    try {
      process.kill(daemon.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    let timer;
    const timedOut = await Promise.race([
      daemon.exitPromise.then(() => false),
      new Promise((r) => { timer = setTimeout(() => r(true), timeoutMs); }),
    ]);
    clearTimeout(timer);
    if (timedOut && !daemon.exited) {
      console.error(`  ${daemon.name} did not exit ${timeoutMs / 1000} s after SIGTERM; SIGKILL to its process group`);
      try {
        process.kill(-daemon.pid, 'SIGKILL');
      } catch {
        // gone
      }
      await daemon.exitPromise;
    }
  }
  const exitMs = Date.now() - t0;
  // Children are in their own process groups (supervisord setpgrp()s them): check each by pid.
  // Give orphans a moment to be reaped by init before declaring them leftovers.
  const alive = () => [...daemon.knownChildren.values()].filter(sameProcessAlive);
  try {
    await waitFor(() => alive().length === 0, { timeoutMs: 5_000, what: 'children to exit' });
  } catch {
    // fall through: kill what remains
  }
  const leftovers = alive();
  for (const d of leftovers) {
    try {
      process.kill(d.pid, 'SIGKILL');
    } catch {
      // raced
    }
  }
  if (leftovers.length) {
    console.error(`  warning: ${leftovers.length} child process(es) of ${daemon.name} survived its shutdown; SIGKILLed`);
  }
  return { exitMs, leftovers: leftovers.length };
}

// ---------------------------------------------------------------- logs

const LOG_LINE = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) (\w+) (.*)$/;

/** Parse supervisord main-log text into [{timeMs, level, message}] (local time, ms resolution). */
export function parseMainLog(text) {
  const entries = [];
  for (const line of text.split('\n')) {
    const m = LOG_LINE.exec(line);
    if (!m) {
      // continuation of a multi-line message
      if (entries.length && line) entries[entries.length - 1].message += `\n${line}`;
      continue;
    }
    const [, y, mo, d, h, mi, s, ms, level, message] = m;
    const timeMs = new Date(+y, +mo - 1, +d, +h, +mi, +s, +ms).getTime();
    entries.push({ timeMs, level, message });
  }
  return entries;
}

export function readMainLog(path) {
  try {
    return parseMainLog(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
}

/** Count log lines whose message matches `re` (cheap re-read; fine for polling a few MB). */
export function countLogLines(path, re) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return 0;
  }
  let n = 0;
  for (const line of text.split('\n')) if (re.test(line)) n++;
  return n;
}

// ---------------------------------------------------------------- stats

/** p in [0, 100]; linear interpolation between closest ranks. NaN for an empty list. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const idx = (p / 100) * (s.length - 1);
  const lo = Math.floor(idx);
  const hi = Math.ceil(idx);
  return s[lo] + (s[hi] - s[lo]) * (idx - lo);
}

export const median = (values) => percentile(values, 50);

// ---------------------------------------------------------------- output

function fmt(v, digits) {
  if (v === undefined || v === null) return 'n/a';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return 'n/a';
  return v.toFixed(digits);
}

/**
 * Print a comparison table.
 *   title: scenario title
 *   rows: [{ metric, [OURS]: number|string|undefined, [THEIRS]: ..., digits? }]
 *   ratio = tssupervisord / supervisord (so < 1 means we are lower: faster / cheaper)
 *   notes: extra lines printed under the table
 */
export function printTable(title, rows, notes = []) {
  const header = ['metric', OURS, THEIRS, 'ratio (ours/theirs)'];
  const body = rows.map((r) => {
    const digits = r.digits ?? 2;
    const a = r[OURS];
    const b = r[THEIRS];
    let ratio = 'n/a';
    if (!supervisordAvailable()) ratio = 'skipped';
    else if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && b !== 0) {
      ratio = (a / b).toFixed(3);
    }
    return [r.metric, fmt(a, digits), fmt(b, digits), ratio];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n== ${title} ==`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
  if (!supervisordAvailable()) console.log('supervisord not installed: ratio skipped');
  for (const n of notes) console.log(n);
}

/**
 * Run `measure(daemonName)` for each selected daemon; a daemon that fails (missing, won't start,
 * times out) is reported and skipped. Returns { [daemonName]: result | undefined, errors: [] }.
 */
export async function forEachDaemon(measure) {
  const results = { errors: [] };
  for (const name of selectedDaemons()) {
    if (name === THEIRS && !supervisordAvailable()) {
      results.errors.push(`${THEIRS}: not installed (${PYTHON_SUPERVISORD} missing)`);
      continue;
    }
    console.error(`  running under ${name} ...`);
    try {
      results[name] = await measure(name);
    } catch (e) {
      const msg = `${name}: ${e instanceof Error ? e.message : String(e)}`;
      console.error(`  error: ${msg}`);
      results.errors.push(msg);
    }
  }
  return results;
}
