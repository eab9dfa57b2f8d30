// Health-check cost: 100 programs `/bin/sleep 3600`, each with `healthcheck=tcp:` every 1 s, all
// pointing at one listener this bench opens (it counts the connections, so the tries are seen to
// happen). Once all are RUNNING, the daemon's own CPU over an idle window, next to the same 100
// programs without health checks. Target: < 2% of one core with the checks.
// supervisord has no health checks (superlance's httpok is a separate listener), so ours only.
//
//   node bench/health.mjs
//   BENCH_HEALTH_SECONDS=20                 window (default 20)
//   BENCH_HEALTH_PROGRAMS=100               number of programs (default 100)

import { createServer } from 'node:net';
import {
  OURS, inTempDir, countLogLines, cpuSeconds, cpuSecondsPrecise, envNumber, isMain, printTable,
  removeTempDir, sleepPrograms, startDaemon, stopDaemon, supervisordSection, waitFor, writeConfig,
} from './lib.mjs';

const PROGRAMS = envNumber('BENCH_HEALTH_PROGRAMS', 100);
export const title = `health checks (${PROGRAMS} programs, tcp: check every 1 s, one listener)`;

function config(dir, port) {
  return supervisordSection(dir) + sleepPrograms(PROGRAMS, port === null ? '' : `healthcheck=tcp:127.0.0.1:${port}\nhealthcheck_interval=1\n`);
}

const SUCCESS = / INFO success: sleep_\d+ entered RUNNING state/;

async function listener() {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on('error', () => undefined);
    socket.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, connections: () => connections, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function measure(withChecks) {
  return inTempDir('tssupervisor-bench-health-', async (dir, logPath) => {
    const seconds = envNumber('BENCH_HEALTH_SECONDS', 20);
    const target = await listener();
    const daemon = await startDaemon(OURS, writeConfig(dir, config(dir, withChecks ? target.port : null)));
    let result;
    try {
      await waitFor(() => countLogLines(logPath, SUCCESS) >= PROGRAMS, {
        timeoutMs: 60_000, intervalMs: 250, what: `${PROGRAMS} programs RUNNING`, daemon,
      });
      // Past the first interval, so every check is in its steady rhythm, and past the startup's
      // own after-work (the FIFO pool refilling, collection), which the no-check run shows.
      await new Promise((r) => setTimeout(r, 5000));
      const cpu0 = cpuSeconds(daemon.pid);
      const precise0 = cpuSecondsPrecise(daemon.pid);
      const c0 = target.connections();
      const w0 = Date.now();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const wallS = (Date.now() - w0) / 1000;
      const cpu = cpuSeconds(daemon.pid) - cpu0;
      const precise = cpuSecondsPrecise(daemon.pid) - precise0;
      if (daemon.exited) throw new Error(`${OURS} exited during the window`);
      const unhealthy = countLogLines(logPath, /unhealthy: /);
      result = {
        cpu, precise, pct: ((Number.isFinite(precise) ? precise : cpu) / wallS) * 100,
        tries: (target.connections() - c0) / wallS, unhealthy,
      };
    } finally {
      await stopDaemon(daemon);
      await target.close();
    }
    removeTempDir(dir);
    return result;
  });
}

export async function run() {
  const seconds = envNumber('BENCH_HEALTH_SECONDS', 20);
  console.error(`  running under ${OURS} without health checks ...`);
  const plain = await measure(false);
  console.error(`  running under ${OURS} with health checks ...`);
  const checked = await measure(true);
  // The supervisord column stays empty: it has no health checks to measure.
  const row = (metric, value, digits) => ({ metric, [OURS]: value, digits });
  const rows = [
    row(`daemon CPU seconds over ${seconds} s, no healthcheck`, plain.cpu, 3),
    row(`daemon CPU seconds over ${seconds} s, with healthchecks`, checked.cpu, 3),
    row('  same, from schedstat (ns resolution)', checked.precise, 4),
    row('daemon CPU % of one core, no healthcheck', plain.pct, 2),
    row('daemon CPU % of one core, with healthchecks', checked.pct, 2),
    row('checks per second seen by the listener', checked.tries, 1),
    row('unhealthy restarts', checked.unhealthy, 0),
  ];
  const ok = checked.pct < 2 && checked.tries >= PROGRAMS * 0.9 && checked.unhealthy === 0;
  return { title, rows, notes: [`target: < 2% of one core with ${PROGRAMS} checks every 1 s (all tried, none unhealthy): ${ok ? 'MET' : 'NOT MET'}`] };
}

if (isMain(import.meta.url)) {
  const { rows, notes } = await run();
  printTable(title, rows, notes);
}
