// Log throughput: one child floods stdout with BENCH_LOG_BYTES (default 1 GiB) of unique 64-byte
// lines (`<16-digit sequence number> <filler>\n`) as fast as it can; the daemon logs them to
// `flood.log` rotating at 50MB with 30 backups. Measured per daemon:
//   - MB/s (10^6 bytes/s) from the writer's first write until every byte is in
//     flood.log + flood.log.1..30 (sizes polled every 20 ms);
//   - a check of the files read in order f.30 … f.1, f: bytes and lines found, lines lost,
//     duplicated or malformed, and lines split across two files (both daemons rotate after a
//     write, so a rotation can cut a line);
//   - the daemon's RSS (VmRSS, sampled every 50 ms): idle = last sample before the flood starts
//     (the writer sleeps BENCH_LOG_DELAY_MS after exec so the daemon is idle), peak during it.
// The machine's ceiling is measured in the same run: the same writer piped into `cat > file`.
// This VM's page-cache write speed varies several-fold between runs (cold guest memory, dirty
// page writeback), so after one unmeasured warm-up pass, BENCH_LOG_ROUNDS rounds of
// (ceiling, each daemon) run and the best round of each is reported; every round is checked for
// loss. Before every run the previous files are deleted and `sync` is run, so each run starts
// with no dirty pages to flush.
//
//   node bench/log-throughput.mjs                        both daemons
//   BENCH_DAEMONS=tssupervisord node bench/log-throughput.mjs
//   BENCH_LOG_BYTES=268435456                            bytes to write (default 1073741824)
//   BENCH_LOG_ROUNDS=3                                   rounds (default 3; best one reported)
//   TMPDIR=/dev/shm node bench/log-throughput.mjs        take the disk out of the picture

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OURS, THEIRS, cpuSeconds, envNumber, forEachDaemon, isMain, makeTempDir, printTable, readMainLog, removeTempDir,
  startDaemon, stopDaemon, supervisordSection, trackChildren, waitFor, writeConfig,
} from './lib.mjs';

const LINE = 64;
const DIGITS = 16;
const BACKUPS = 30;
const MAXBYTES = '50MB';
const GIB = 1024 ** 3;
const MB = 1e6;
const MIN_FREE = 4e9;
const DELAY_MS = envNumber('BENCH_LOG_DELAY_MS', 1000);

const notesAtStart = [];

function plannedBytes() {
  let bytes = envNumber('BENCH_LOG_BYTES', GIB);
  if (bytes % LINE !== 0) {
    bytes = Math.floor(bytes / LINE) * LINE;
    notesAtStart.push(`note: BENCH_LOG_BYTES rounded down to a multiple of ${LINE}: ${bytes}`);
  }
  const st = statfsSync(tmpdir());
  const free = st.bavail * st.bsize;
  if (free < MIN_FREE) {
    // Files are deleted between runs, so one run's output (plus slack) must fit.
    const scaled = Math.max(LINE, Math.floor(free / 4 / LINE) * LINE);
    if (scaled < bytes) {
      notesAtStart.push(`note: only ${(free / 1e9).toFixed(2)} GB free in ${tmpdir()} (< 4 GB): scaled down from ${bytes} to ${scaled} bytes`);
      bytes = scaled;
    }
  }
  return bytes;
}

const BYTES = plannedBytes();
const LINES = BYTES / LINE;
export const title = `log throughput (1 child, ${(BYTES / GIB).toFixed(2)} GiB of 64-byte lines to stdout, maxbytes=${MAXBYTES}, backups=${BACKUPS})`;

// ---------------------------------------------------------------- the flood writer

// Lines are numbered 0 … n-1. A block holds 10^4 lines, so the low 4 digits of each line are
// fixed per position; per block only the high digits that changed are rewritten (≈1 store per
// line), which keeps the writer well above 1 GB/s. Sync writes on fd 1, waiting out EAGAIN.
const WRITER = `import { writeFileSync, writeSync } from 'node:fs';
const total = Number(process.argv[2]);
const startFile = process.argv[3];
const delayMs = Number(process.argv[4] ?? 0);
const LINE = ${LINE};
const DIGITS = ${DIGITS};
const LOW = 4;
const PER_BLOCK = 10 ** LOW;
const block = Buffer.alloc(LINE * PER_BLOCK);
const filler = Buffer.from(' ' + 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.slice(0, LINE - DIGITS - 2) + '\\n');
for (let i = 0; i < PER_BLOCK; i++) {
  block.write(String(i).padStart(DIGITS, '0'), i * LINE, 'latin1');
  filler.copy(block, i * LINE + DIGITS);
}
let prevHigh = '0'.repeat(DIGITS - LOW);
function setHigh(b) {
  const high = String(b).padStart(DIGITS - LOW, '0');
  for (let d = 0; d < high.length; d++) {
    const c = high.charCodeAt(d);
    if (c === prevHigh.charCodeAt(d)) continue;
    for (let off = d; off < block.length; off += LINE) block[off] = c;
  }
  prevHigh = high;
}
const sleeper = new Int32Array(new SharedArrayBuffer(4));
function writeAll(buf) {
  let o = 0;
  while (o < buf.length) {
    try {
      o += writeSync(1, buf, o, buf.length - o);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }
}
if (delayMs > 0) Atomics.wait(sleeper, 0, 0, delayMs);
if (startFile) writeFileSync(startFile, String(Date.now()));
let left = Math.floor(total / LINE) * LINE;
for (let b = 0; left > 0; b++) {
  setHigh(b);
  const n = Math.min(left, block.length);
  writeAll(n === block.length ? block : block.subarray(0, n));
  left -= n;
}
`;

function writerCommand(dir, delayMs) {
  const writer = join(dir, 'writer.mjs');
  if (!existsSync(writer)) writeFileSync(writer, WRITER);
  return { writer, startFile: join(dir, 'writer.start'), args: [writer, String(BYTES), join(dir, 'writer.start'), String(delayMs)] };
}

const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

// ---------------------------------------------------------------- disk state

function dirtyKb() {
  const m = /^Dirty:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Flush dirty pages left by earlier runs so each run starts from the same page-cache state. */
async function settleDisk() {
  spawnSync('sync', { stdio: 'ignore' });
  try {
    await waitFor(() => dirtyKb() < 64 * 1024, { timeoutMs: 30_000, intervalMs: 100, what: 'dirty pages to drain' });
  } catch {
    // carry on: the note in the results shows the run may be noisier
  }
}

// ---------------------------------------------------------------- verification

const logFiles = (dir) => [
  ...Array.from({ length: BACKUPS }, (_, i) => join(dir, `flood.log.${BACKUPS - i}`)),
  join(dir, 'flood.log'),
].filter((p) => existsSync(p));

function totalSize(paths) {
  let n = 0;
  for (const p of paths) {
    try {
      n += statSync(p).size;
    } catch {
      // rotated away between listing and stat: the next poll sees it under its new name
    }
  }
  return n;
}

const allLogPaths = (dir) => [join(dir, 'flood.log'), ...Array.from({ length: BACKUPS }, (_, i) => join(dir, `flood.log.${i + 1}`))];

/**
 * Read `files` in order as one stream and check every line: `<16 digits> <filler>\n`, numbered
 * 0, 1, 2 … in order. Returns bytes, lines, lost, duplicated, malformed, split (files not ending
 * on a line boundary, i.e. a line continued in the next file).
 */
export function verifyLines(files, expectedLines) {
  const CHUNK = 16 * 1024 * 1024;
  const buf = Buffer.allocUnsafe(CHUNK + 4096);
  let carry = 0; // bytes of a partial line kept at buf[0 … carry)
  let expected = 0;
  const r = { bytes: 0, lines: 0, lost: 0, duplicated: 0, malformed: 0, split: 0, files: files.length };
  const take = (seq) => {
    r.lines++;
    if (seq === expected) expected++;
    else if (seq > expected) {
      r.lost += seq - expected;
      expected = seq + 1;
    } else r.duplicated++;
  };
  const parse = (off) => {
    let n = 0;
    for (let i = 0; i < DIGITS; i++) {
      const c = buf[off + i] - 48;
      if (c < 0 || c > 9) return -1;
      n = n * 10 + c;
    }
    return buf[off + DIGITS] === 32 ? n : -1;
  };
  for (const file of files) {
    const fd = openSync(file, 'r');
    try {
      for (;;) {
        const got = readSync(fd, buf, carry, CHUNK, null);
        if (got === 0) break;
        r.bytes += got;
        const end = carry + got;
        let off = 0;
        while (off < end) {
          if (off + LINE <= end && buf[off + LINE - 1] === 10) {
            const seq = parse(off);
            if (seq < 0) {
              r.lines++;
              r.malformed++;
            } else take(seq);
            off += LINE;
            continue;
          }
          const nl = buf.indexOf(10, off);
          if (nl < 0 || nl >= end) break; // partial line: keep it for the next read
          r.lines++;
          r.malformed++;
          off = nl + 1;
        }
        carry = end - off;
        if (carry > 4096) {
          // a runaway line without newline: count it as malformed and drop it
          r.malformed++;
          carry = 0;
        } else buf.copy(buf, 0, off, end);
      }
    } finally {
      closeSync(fd);
    }
    if (carry > 0) r.split++;
  }
  if (carry > 0) {
    r.lines++;
    r.malformed++;
    r.split--; // the last file's tail is a truncated line, not a split one
  }
  if (expected < expectedLines) r.lost += expectedLines - expected;
  return r;
}

// ---------------------------------------------------------------- RSS sampling

function vmRssKb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

function sampleRss(pid) {
  const samples = [];
  const take = () => {
    const kb = vmRssKb(pid);
    if (Number.isFinite(kb)) samples.push({ t: Date.now(), kb });
  };
  take();
  const timer = setInterval(take, 50);
  return { samples, stop: () => clearInterval(timer) };
}

// ---------------------------------------------------------------- ceiling

async function measureCeiling() {
  const dir = makeTempDir('tssupervisor-bench-logceil-');
  try {
    await settleDisk();
    const { args, startFile } = writerCommand(dir, 200);
    const out = join(dir, 'ceiling.log');
    const sh = spawn('/bin/sh', ['-c', `${[process.execPath, ...args].map(quote).join(' ')} | cat > ${quote(out)}`], { stdio: 'ignore' });
    const code = await new Promise((res, rej) => {
      sh.once('exit', (c) => res(c));
      sh.once('error', rej);
    });
    const t1 = Date.now();
    if (code !== 0) throw new Error(`ceiling pipeline exited ${code}`);
    const t0 = Number(readFileSync(startFile, 'utf8'));
    const size = statSync(out).size;
    if (size !== BYTES) throw new Error(`ceiling wrote ${size} bytes, expected ${BYTES}`);
    return (BYTES / MB) / ((t1 - t0) / 1000);
  } finally {
    removeTempDir(dir);
  }
}

// ---------------------------------------------------------------- one daemon

function config(dir) {
  const { args } = writerCommand(dir, DELAY_MS);
  // [program:idle] keeps a child running after the flood ends: with nothing left to supervise
  // (and no RPC server configured) tssupervisord currently exits 0, Python supervisord does not.
  return `${supervisordSection(dir)}
[program:idle]
command=/bin/sleep 3600
stdout_logfile=NONE
stderr_logfile=NONE

[program:flood]
command=${[process.execPath, ...args].join(' ')}
stdout_logfile=${join(dir, 'flood.log')}
stdout_logfile_maxbytes=${MAXBYTES}
stdout_logfile_backups=${BACKUPS}
stderr_logfile=${join(dir, 'flood.stderr.log')}
redirect_stderr=false
startsecs=0
autorestart=false
`;
}

async function measure(name) {
  const dir = makeTempDir('tssupervisor-bench-logtp-');
  try {
    const r = await measureIn(name, dir);
    removeTempDir(dir);
    return r;
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n  (files kept in ${dir})`);
  }
}

async function measureIn(name, dir) {
  await settleDisk();
  const logPath = join(dir, 'supervisord.log');
  const startFile = join(dir, 'writer.start');
  const paths = allLogPaths(dir);
  const daemon = await startDaemon(name, writeConfig(dir, config(dir)));
  const rss = sampleRss(daemon.pid);
  let t0;
  let t1;
  let cpu0;
  let cpu1;
  try {
    await waitFor(() => existsSync(startFile) && readFileSync(startFile, 'utf8').length > 0, {
      timeoutMs: 60_000, intervalMs: 10, what: 'the flood writer to start', daemon,
    });
    t0 = Number(readFileSync(startFile, 'utf8'));
    cpu0 = cpuSeconds(daemon.pid);
    trackChildren(daemon);
    // Assume at least 10 MB/s; stop waiting if the writer exited and nothing grew for 5 s.
    const deadline = Date.now() + 60_000 + (BYTES / (10 * MB)) * 1000;
    let last = -1;
    let lastChange = Date.now();
    for (;;) {
      const size = totalSize(paths);
      const now = Date.now();
      if (size >= BYTES) {
        t1 = now;
        break;
      }
      if (size !== last) {
        last = size;
        lastChange = now;
      } else if (now - lastChange > 5_000 && readMainLog(logPath).some((e) => /^exited: flood /.test(e.message))) {
        t1 = lastChange;
        break;
      }
      if (daemon.exited) throw new Error(`${name} exited during the run (${daemon.exitDescription()})${daemon.outputTail()}`);
      if (now > deadline) throw new Error(`timed out: ${size} of ${BYTES} bytes logged`);
      await new Promise((res) => setTimeout(res, 20));
    }
    cpu1 = cpuSeconds(daemon.pid);
    // A few more RSS samples after the last byte, then stop.
    await new Promise((res) => setTimeout(res, 200));
  } finally {
    rss.stop();
    await stopDaemon(daemon);
  }
  const before = rss.samples.filter((s) => s.t < t0);
  const during = rss.samples.filter((s) => s.t >= t0);
  const idleKb = before.length ? before[before.length - 1].kb : rss.samples[0]?.kb ?? NaN;
  const peakKb = Math.max(...during.map((s) => s.kb), idleKb);
  const seconds = (t1 - t0) / 1000;
  const check = verifyLines(logFiles(dir), LINES);
  return {
    mbps: (check.bytes / MB) / seconds,
    seconds,
    cpu: cpu1 - cpu0,
    idleMb: idleKb / 1024,
    peakMb: peakKb / 1024,
    aboveIdleMb: (peakKb - idleKb) / 1024,
    ...check,
  };
}

// ---------------------------------------------------------------- scenario

/** Best (highest) throughput over the rounds; the check counters are summed over all rounds. */
function combine(results) {
  if (results.length === 0) return undefined;
  const best = results.reduce((a, b) => (b.mbps > a.mbps ? b : a));
  const sum = (k) => results.reduce((n, x) => n + x[k], 0);
  return {
    ...best,
    mbpsAll: results.map((x) => x.mbps),
    lost: sum('lost'),
    duplicated: sum('duplicated'),
    malformed: sum('malformed'),
    bytesOk: results.every((x) => x.bytes === BYTES && x.lines === LINES),
    peakMb: Math.max(...results.map((x) => x.peakMb)),
    aboveIdleMb: Math.max(...results.map((x) => x.aboveIdleMb)),
  };
}

export async function run() {
  const rounds = Math.round(envNumber('BENCH_LOG_ROUNDS', 3));
  // The first GiB written after boot (fresh guest memory, cold page cache) is much slower than
  // later ones; one unmeasured pass keeps that out of the first measured run.
  console.error(`  warm-up: writer | cat > file (${BYTES} bytes) ...`);
  await measureCeiling();
  const ceilings = [];
  const per = { [OURS]: [], [THEIRS]: [] };
  const errors = [];
  for (let i = 0; i < rounds; i++) {
    console.error(`  round ${i + 1}/${rounds}: ceiling ...`);
    ceilings.push(await measureCeiling());
    const r = await forEachDaemon(measure);
    for (const d of [OURS, THEIRS]) if (r[d]) per[d].push(r[d]);
    errors.push(...r.errors.map((e) => `round ${i + 1}: ${e}`));
  }
  const ceiling = Math.max(...ceilings);
  const r = { [OURS]: combine(per[OURS]), [THEIRS]: combine(per[THEIRS]) };

  const row = (metric, key, digits = 1) => ({ metric, [OURS]: r[OURS]?.[key], [THEIRS]: r[THEIRS]?.[key], digits });
  const vsCeiling = (d) => (r[d] ? r[d].mbps / ceiling : undefined);
  const rows = [
    row('throughput, best round (MB/s)', 'mbps'),
    { metric: 'throughput / ceiling', [OURS]: vsCeiling(OURS), [THEIRS]: vsCeiling(THEIRS), digits: 3 },
    row('elapsed, best round (s)', 'seconds', 2),
    row('daemon CPU, best round (s)', 'cpu', 2),
    row('bytes found (best round)', 'bytes', 0),
    row('lines found (best round)', 'lines', 0),
    row('lines lost (all rounds)', 'lost', 0),
    row('lines duplicated (all rounds)', 'duplicated', 0),
    row('lines malformed (all rounds)', 'malformed', 0),
    row('lines split across files', 'split', 0),
    row('log files', 'files', 0),
    row('idle RSS (MB)', 'idleMb'),
    row('peak RSS, max of rounds (MB)', 'peakMb'),
    row('RSS above idle, max (MB)', 'aboveIdleMb'),
  ];
  const fmtAll = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
  const notes = [...notesAtStart, ...errors.map((e) => `error: ${e}`)];
  notes.push(`written per run: ${BYTES} bytes, ${LINES} lines; ${rounds} round(s); files in ${tmpdir()}; MB = 10^6 bytes; RSS MB = MiB`);
  notes.push(`ceiling (writer | cat > file): ${ceiling.toFixed(1)} MB/s best (rounds: ${fmtAll(ceilings)})`);
  for (const d of [OURS, THEIRS]) if (r[d]) notes.push(`${d} MB/s per round: ${fmtAll(r[d].mbpsAll)}`);
  const ours = r[OURS];
  const theirs = r[THEIRS];
  if (ours && theirs) notes.push(`ours / supervisord: ${(ours.mbps / theirs.mbps).toFixed(3)}`);
  if (ours) {
    notes.push(`ours / ceiling: ${(ours.mbps / ceiling).toFixed(3)}`);
    const met = (ok) => (ok ? 'MET' : 'NOT MET');
    if (theirs) notes.push(`target: ours >= supervisord throughput: ${met(ours.mbps >= theirs.mbps)} (${ours.mbps.toFixed(1)} vs ${theirs.mbps.toFixed(1)} MB/s)`);
    notes.push(`target: ours >= 0.5 x ceiling: ${met(ours.mbps >= 0.5 * ceiling)} (${ours.mbps.toFixed(1)} vs ${(0.5 * ceiling).toFixed(1)} MB/s)`);
    const lossFree = ours.bytesOk && ours.lost === 0 && ours.duplicated === 0 && ours.malformed === 0;
    notes.push(`target: zero loss: ${met(lossFree)} (every round ${lossFree ? '' : 'NOT '}complete; ${ours.lost} lost, ${ours.duplicated} duplicated, ${ours.malformed} malformed)`);
    notes.push(`target: RSS above idle < 20 MB: ${met(ours.aboveIdleMb < 20)} (${ours.aboveIdleMb.toFixed(1)} MB, worst round)`);
  }
  return { title, rows, notes };
}

if (isMain(import.meta.url)) {
  const { rows, notes } = await run();
  printTable(title, rows, notes);
}
