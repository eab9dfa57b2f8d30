// Soak: a real daemon under a crash loop, watched from outside, with pass/fail targets.
//   npm run soak                                  (builds first; 1000 programs, 60 s)
//   npm run soak -- --seconds 300 --programs 300  (other sizes)
//   node scripts/soak.mjs --daemon supervisord    (the same run under Python supervisord)
//
// N programs `sh -c "sleep 0.2; exit 1"` with startsecs=0, autorestart=true, stdout_logfile=AUTO
// (issue 9's crash loop). Every --interval seconds it records, from /proc and the control socket:
// RSS and open fds of the daemon, its zombie children, the latency of `tssupervisorctl status`,
// and the event-loop lag, measured as the latency of a one-line XML-RPC call
// (supervisor.getState) sent every 100 ms: a daemon whose loop is blocked answers late (the
// probe pauses while `ctl status` runs, which has its own target).
// Targets (exit 1 if one is missed): fds flat after warm-up (the median of the last half of the
// samples within 10% of the first half's), and RSS flat the same way by its floor, the lowest of
// each half's twice-a-second readings: RSS swings by tens of MB between V8's major GCs, and what
// a leak raises is the floor of that sawtooth, no zombie left over from one sample to the next,
// probe latency p99 under 50 ms, `ctl status` under 1 s, SIGTERM -> exit 0 in under 5 s with no
// child left behind. Prints the samples, then one verdict line.

import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  OURS, REPO_ROOT, THEIRS, makeTempDir, percentile, median, procStat, childPids, removeTempDir,
  startDaemon, stopDaemon, trackChildren, waitFor, writeConfig,
} from '../bench/lib.mjs';

const TARGETS = { flatRatio: 1.1, lagP99Ms: 50, ctlMs: 1000, sigtermMs: 5000 };
const PROBE_EVERY_MS = 100;

function parseArgs(argv) {
  const opts = { seconds: 60, programs: 1000, interval: 5, daemon: OURS };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]?.replace(/^--/, '');
    const value = argv[i + 1];
    if (!(key in opts) || value === undefined) throw new Error(`usage: soak.mjs [--seconds N] [--programs N] [--interval N] [--daemon ${OURS}|${THEIRS}] (got '${argv[i]}')`);
    opts[key] = key === 'daemon' ? value : Number(value);
    if (key !== 'daemon' && !(opts[key] > 0)) throw new Error(`--${key} must be a positive number, got '${value}'`);
    i++;
  }
  if (![OURS, THEIRS].includes(opts.daemon)) throw new Error(`--daemon must be ${OURS} or ${THEIRS}`);
  return opts;
}

/** Descriptors the daemon needs: two AUTO logs per program, its pipes, and room for the rest. */
function wantedFds(programs) {
  const wanted = programs * 3 + 256;
  const hard = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
  const limit = hard === undefined || hard === 'unlimited' ? Infinity : Number(hard);
  if (limit < wanted) console.error(`soak: warning: the hard fd limit ${limit} is below the ${wanted} that ${programs} programs want`);
  return Math.max(1024, Math.min(wanted, limit));
}

function config(dir, programs) {
  const header = `[unix_http_server]
file=${dir}/s.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://${dir}/s.sock

[supervisord]
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
childlogdir=${dir}/logs
minfds=${wantedFds(programs)}
`;
  const program = (i) => `[program:p${i}]
command=/bin/sh -c "sleep 0.2; exit 1"
startsecs=0
autorestart=true
stdout_logfile=AUTO
`;
  return [header, ...Array.from({ length: programs }, (_, i) => program(i))].join('\n');
}

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const openFds = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const zombiesOf = (pid) => childPids(pid).filter((c) => procStat(c)?.state === 'Z');

/** One XML-RPC call over the unix socket; resolves with its latency in ms (Infinity on error). */
function rpcLatency(socketPath) {
  const body = '<?xml version="1.0"?><methodCall><methodName>supervisor.getState</methodName><params></params></methodCall>';
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/RPC2', method: 'POST', headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body) }, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t0 : Infinity));
    });
    req.on('error', () => resolve(Infinity));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

/**
 * Probes every PROBE_EVERY_MS, one call at a time, until stop() (a stalled daemon stalls it).
 * paused() runs a function with no probe in flight: the `ctl status` sample, whose 1000-process
 * answer is tens of ms of deliberate work, has its own target and is kept out of the lag figures.
 */
function startLagProbe(socketPath) {
  let latencies = [];
  let running = true;
  let inFlightSince = null;
  let gate = Promise.resolve();
  const done = (async () => {
    while (running) {
      await gate;
      const started = performance.now();
      inFlightSince = started;
      const latency = await rpcLatency(socketPath);
      inFlightSince = null;
      latencies.push(latency);
      await new Promise((r) => setTimeout(r, Math.max(0, PROBE_EVERY_MS - (performance.now() - started))));
    }
  })();
  return {
    async paused(fn) {
      let open = () => undefined;
      gate = new Promise((r) => { open = r; });
      while (inFlightSince !== null) await new Promise((r) => setTimeout(r, 5));
      try {
        return await fn();
      } finally {
        open();
      }
    },
    /** The latencies since the last take(); a call still unanswered counts with its age so far. */
    take() {
      const taken = inFlightSince === null ? latencies : [...latencies, performance.now() - inFlightSince];
      latencies = [];
      return taken;
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

function ctlStatusMs(daemon, configPath) {
  const [cmd, args] = daemon === OURS
    ? [process.execPath, [join(REPO_ROOT, 'bin', 'tssupervisorctl.js'), '-c', configPath, 'status']]
    : ['/usr/bin/supervisorctl', ['-c', configPath, 'status']];
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 10_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      // status exits 3 when some process is not RUNNING, which a crash loop always has.
      const answered = /^p0\s/m.test(stdout);
      resolve(answered || error?.code === 3 ? performance.now() - t0 : Infinity);
    });
  });
}

const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

function printSamples(samples) {
  const header = ['t (s)', 'RSS MB', 'floor', 'fds', 'zombies', 'stuck', 'lag p50', 'lag p99', 'lag max', 'ctl ms', 'spawns'];
  const rows = samples.map((s) => [fmt(s.t), fmt(s.rss, 1), fmt(s.rssFloor, 1), fmt(s.fds), fmt(s.zombies), fmt(s.stuck), fmt(s.lagP50, 1), fmt(s.lagP99, 1), fmt(s.lagMax, 1), fmt(s.ctlMs), fmt(s.spawns)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/**
 * Flat = the later half of the post-warm-up samples within `ratio` of the earlier half, compared by
 * `summary` (the median; for RSS the minimum, which is the floor of GC's sawtooth).
 */
function flatness(values, summary = median) {
  const half = Math.floor(values.length / 2);
  const early = summary(values.slice(0, half));
  const late = summary(values.slice(half));
  return { early, late, ok: !(late > early * TARGETS.flatRatio) };
}

const spawnsSoFar = (log) => {
  try {
    return (readFileSync(log, 'utf8').match(/ INFO spawned: /g) ?? []).length;
  } catch {
    return 0;
  }
};

async function soak(opts) {
  const dir = makeTempDir('tssupervisor-soak-');
  let kept = false;
  const configPath = writeConfig(dir, config(dir, opts.programs));
  mkdirSync(join(dir, 'logs')); // childlogdir must exist when the config is read
  const d = await startDaemon(opts.daemon, configPath, { nofile: wantedFds(opts.programs) });
  const log = join(dir, 'supervisord.log');
  const failures = [];
  try {
    await waitFor(() => spawnsSoFar(log) >= Math.min(opts.programs, 50), { timeoutMs: 60_000, what: 'the first spawns', daemon: d });
    const probe = startLagProbe(join(dir, 's.sock'));
    const samples = [];
    const start = Date.now();
    let previousZombies = new Set();
    console.log(`soak: ${opts.daemon}, ${opts.programs} crash-looping programs, ${opts.seconds} s, a sample every ${opts.interval} s (dir ${dir})`);
    while (Date.now() - start < opts.seconds * 1000) {
      // RSS of a garbage-collected daemon is a sawtooth (tens of MB between major GCs); what a leak
      // raises is its floor. So it is read twice a second and each sample keeps the interval's lowest.
      let rssFloor = Infinity;
      const until = Date.now() + opts.interval * 1000;
      while (Date.now() < until && !d.exited) {
        await new Promise((r) => setTimeout(r, Math.min(500, until - Date.now())));
        if (!d.exited) rssFloor = Math.min(rssFloor, rssMb(d.pid));
      }
      if (d.exited) throw new Error(`the daemon exited during the soak (${d.exitDescription()})${d.outputTail()}`);
      trackChildren(d);
      const zombies = zombiesOf(d.pid);
      const stuck = zombies.filter((z) => previousZombies.has(z));
      previousZombies = new Set(zombies);
      const lags = probe.take();
      samples.push({
        t: (Date.now() - start) / 1000, rss: rssMb(d.pid), rssFloor, fds: openFds(d.pid), zombies: zombies.length, stuck: stuck.length,
        lagP50: percentile(lags, 50), lagP99: percentile(lags, 99), lagMax: Math.max(...lags), lags,
        ctlMs: await probe.paused(() => ctlStatusMs(opts.daemon, configPath)), spawns: spawnsSoFar(log),
      });
    }
    await probe.stop();
    printSamples(samples);

    // Warm-up: the first fifth of the run (at least one sample) fills caches, heaps and log files.
    const warm = samples.slice(Math.max(1, Math.floor(samples.length / 5)));
    const rss = flatness(warm.map((s) => s.rssFloor), (floors) => Math.min(...floors));
    const fds = flatness(warm.map((s) => s.fds));
    const lagP99 = percentile(warm.flatMap((s) => s.lags), 99);
    const ctlMax = Math.max(...warm.map((s) => s.ctlMs));
    const stuckZombies = Math.max(...samples.map((s) => s.stuck));
    if (warm.length < 2) failures.push('too few samples for a verdict (run longer or sample more often)');
    if (!rss.ok) failures.push(`RSS grew: floor ${fmt(rss.early, 1)} MB -> ${fmt(rss.late, 1)} MB`);
    if (!fds.ok) failures.push(`fds grew: median ${fmt(fds.early)} -> ${fmt(fds.late)}`);
    if (stuckZombies > 0) failures.push(`${stuckZombies} zombie(s) not reaped between two samples`);
    if (!(lagP99 < TARGETS.lagP99Ms)) failures.push(`event-loop lag p99 ${fmt(lagP99, 1)} ms >= ${TARGETS.lagP99Ms} ms`);
    if (!(ctlMax < TARGETS.ctlMs)) failures.push(`ctl status took ${fmt(ctlMax)} ms >= ${TARGETS.ctlMs} ms`);

    const { exitMs, leftovers } = await stopDaemon(d, { timeoutMs: 30_000 });
    const received = readFileSync(log, 'utf8').includes('received SIGTERM indicating exit request');
    if (!received) failures.push('SIGTERM was never logged');
    if (d.exitCode !== 0) failures.push(`exit after SIGTERM: ${d.exitDescription()}`);
    if (!(exitMs < TARGETS.sigtermMs)) failures.push(`SIGTERM -> exit took ${exitMs} ms >= ${TARGETS.sigtermMs} ms`);
    if (leftovers > 0) failures.push(`${leftovers} child(ren) survived the shutdown`);

    const summary = `RSS ${fmt(rss.early, 1)} -> ${fmt(rss.late, 1)} MB, fds ${fmt(fds.early)} -> ${fmt(fds.late)}, `
      + `stuck zombies ${stuckZombies}, lag p99 ${fmt(lagP99, 1)} ms, ctl status max ${fmt(ctlMax)} ms, `
      + `SIGTERM -> exit ${exitMs} ms, ${samples.at(-1)?.spawns ?? 0} spawns`;
    if (failures.length > 0) {
      kept = true;
      console.log(`soak: FAIL (${summary})\n${failures.map((f) => `  - ${f}`).join('\n')}\n  (logs kept in ${dir})`);
      return 1;
    }
    console.log(`soak: PASS (${summary})`);
    return 0;
  } finally {
    if (!d.exited) await stopDaemon(d, { timeoutMs: 30_000 });
    if (!kept) removeTempDir(dir);
  }
}

try {
  process.exitCode = await soak(parseArgs(process.argv.slice(2)));
} catch (error) {
  console.log(`soak: FAIL (${error instanceof Error ? error.message : String(error)})`);
  process.exitCode = 1;
}
