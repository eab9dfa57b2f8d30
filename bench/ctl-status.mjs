// `status` with 1000 programs: wall time of `tssupervisorctl status` against tssupervisord, and of
// Python's `supervisorctl status` against supervisord, median over BENCH_CTL_RUNS runs each.
// Target: ours at most half of supervisorctl's.
//
//   node bench/ctl-status.mjs
//   BENCH_CTL_PROGRAMS=1000 BENCH_CTL_RUNS=15

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  OURS, THEIRS, countLogLines, envNumber, forEachDaemon, isMain, makeTempDir, median, ourCtlCommand, percentile,
  printTable, removeTempDir, sleepPrograms, startDaemon, stopDaemon, supervisordSection, waitFor, writeConfig,
} from './lib.mjs';

const PROGRAMS = envNumber('BENCH_CTL_PROGRAMS', 1000);
const RUNS = envNumber('BENCH_CTL_RUNS', 15);

export const title = `ctl status (${PROGRAMS} programs, median of ${RUNS} runs)`;

function config(dir) {
  let text = `[unix_http_server]\nfile=${dir}/s.sock\n\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n[supervisorctl]\nserverurl=unix://${dir}/s.sock\n\n`;
  text += supervisordSection(dir, { minfds: Math.max(4096, PROGRAMS * 4 + 256) });
  return text + sleepPrograms(PROGRAMS);
}

const CTL = {
  [OURS]: (conf) => ourCtlCommand(['-c', conf, 'status']),
  [THEIRS]: (conf) => ['/usr/bin/supervisorctl', ['-c', conf, 'status']],
};

async function measure(name) {
  const dir = makeTempDir('tss-ctl-');
  const logPath = join(dir, 'supervisord.log');
  const conf = writeConfig(dir, config(dir));
  const daemon = await startDaemon(name, conf, { nofile: PROGRAMS * 4 + 256 });
  try {
    await waitFor(() => countLogLines(logPath, / INFO success: sleep_\d+ entered RUNNING state/) >= PROGRAMS, {
      timeoutMs: 120_000, intervalMs: 250, what: `${PROGRAMS} programs RUNNING`, daemon,
    });
    const [cmd, args] = CTL[name](conf);
    const times = [];
    let lines = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = process.hrtime.bigint();
      const run = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (run.status !== 0) throw new Error(`${cmd} status exited ${run.status}: ${run.stderr.slice(0, 500)}`);
      lines = run.stdout.trim().split('\n').length;
    }
    return { median: median(times), p90: percentile(times, 90), min: Math.min(...times), lines };
  } finally {
    await stopDaemon(daemon);
    removeTempDir(dir);
  }
}

export async function run() {
  const r = await forEachDaemon(measure);
  const row = (metric, key, digits = 1) => ({ metric, [OURS]: r[OURS]?.[key], [THEIRS]: r[THEIRS]?.[key], digits });
  const notes = [...r.errors.map((e) => `error: ${e}`)];
  const ours = r[OURS]?.median;
  const theirs = r[THEIRS]?.median;
  if (ours !== undefined && theirs !== undefined) {
    notes.push(`target: ${OURS} status median <= 0.5 x supervisorctl's: ${ours <= theirs / 2 ? 'MET' : 'NOT MET'} (${ours.toFixed(1)} vs ${theirs.toFixed(1)} ms)`);
  }
  return {
    title,
    rows: [row('status wall time, median (ms)', 'median'), row('status wall time, p90 (ms)', 'p90'),
      row('status wall time, best (ms)', 'min'), row('lines printed', 'lines', 0)],
    notes,
  };
}

if (isMain(import.meta.url)) {
  const { rows, notes } = await run();
  printTable(title, rows, notes);
}
