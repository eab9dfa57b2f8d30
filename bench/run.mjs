// Runs every benchmark scenario in sequence and prints one comparison table per scenario.
//   npm run bench                       (builds first; see package.json)
//   node bench/run.mjs                  (no build)
//   BENCH_DAEMONS=supervisord node bench/run.mjs     only one side
//   BENCH_ONLY=respawn node bench/run.mjs            only some scenarios (comma list)
// Exits 0 even when Python supervisord is absent (ratios are then skipped).

import { printTable, supervisordAvailable } from './lib.mjs';

// One line per scenario: add new ones here.
const SCENARIOS = [
  'respawn',
  'idle-cpu',
  'log-throughput',
  'ctl-status',
  'readiness',
  'health',
  'spawn-floor',
  'scale',
];

const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
let failures = 0;

if (!supervisordAvailable()) console.log('supervisord not installed: ratio skipped');

for (const name of SCENARIOS) {
  if (only.length && !only.includes(name)) continue;
  console.error(`\n[bench] ${name}`);
  const t0 = Date.now();
  try {
    const scenario = await import(`./${name}.mjs`);
    const { title, rows, notes } = await scenario.run();
    printTable(title, rows, notes);
  } catch (e) {
    failures++;
    console.log(`\n== ${name} ==\nerror: ${e instanceof Error ? e.stack : String(e)}`);
  }
  console.error(`[bench] ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (failures) console.log(`\n${failures} scenario(s) failed to run`);
