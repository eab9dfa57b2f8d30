// The machine's own floor for the scale bench's spawn and stop figures, measured with no
// supervisor: a C loop (bench/fixtures/spawn-floor.c, compiled here with cc) that posix_spawns
// 1000 `/bin/sleep 3600` on two pipes each from 1 and 3 threads, and clones them as the daemon's
// addon does (unshare: only the lowest descriptors copied), with ~5000 descriptors open as a
// daemon holding 1000 programs' logs and pipes has, then SIGTERMs and reaps them. What no
// supervisor can beat on this machine: `start all` is at least the spawn time plus startsecs (1 s)
// plus the ctl's own start; `stop all` at least kill+reap plus the ctl's start. Without a C
// compiler the scenario says so and is skipped.
//
//   node bench/spawn-floor.mjs
//   BENCH_FLOOR_N=1000 BENCH_FLOOR_ROUNDS=3 node bench/spawn-floor.mjs

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { OURS, REPO_ROOT, THEIRS, envNumber, isMain, makeTempDir, median, printTable, removeTempDir } from './lib.mjs';

const N = envNumber('BENCH_FLOOR_N', 1000);
const ROUNDS = envNumber('BENCH_FLOOR_ROUNDS', 3);
const EXTRA_FDS = 5000;

export const title = `spawn floor (C posix_spawn of ${N} /bin/sleep, no supervisor; median of ${ROUNDS})`;

export async function run() {
  const dir = makeTempDir('tss-floor-');
  try {
    const exe = join(dir, 'spawn-floor');
    const cc = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', exe, join(REPO_ROOT, 'bench/fixtures/spawn-floor.c'), '-lpthread'], { encoding: 'utf8' });
    if (cc.error !== undefined || cc.status !== 0) {
      return { title, rows: [], notes: [`skipped: no C compiler (${cc.error?.message ?? cc.stderr.trim()})`] };
    }
    const rows = [];
    // posix_spawn, whose child copies the whole descriptor table, and the addon's way (unshare).
    for (const { threads, how } of [{ threads: 1, how: 'posix_spawn' }, { threads: 3, how: 'posix_spawn' }, { threads: 3, how: 'unshare' }]) {
      const spawn = [];
      const stop = [];
      for (let r = 0; r < ROUNDS; r++) {
        // The daemon's limit for this many programs (bench/scale.mjs: minfds), so the fds fit.
        const args = [exe, String(N), String(threads), String(EXTRA_FDS), ...(how === 'unshare' ? ['unshare'] : [])];
        const out = spawnSync('/usr/bin/prlimit', [`--nofile=${EXTRA_FDS + N * 4 + 256}`, '--', ...args], { encoding: 'utf8' });
        const m = /spawn ([\d.]+) kill\+reap ([\d.]+)/u.exec(out.stdout);
        if (m === null) throw new Error(`spawn-floor said: ${out.stdout}${out.stderr}`);
        spawn.push(Number(m[1]) * 1000);
        stop.push(Number(m[2]) * 1000);
      }
      rows.push({ metric: `${N} spawned, ${how}, ${threads} thread(s) (ms)`, [OURS]: median(spawn), [THEIRS]: null, digits: 0 });
      rows.push({ metric: `${N} SIGTERMed and reaped (ms)`, [OURS]: median(stop), [THEIRS]: null, digits: 0 });
    }
    const best = Math.min(...rows.filter((r) => r.metric.includes('spawned')).map((r) => r[OURS]));
    return {
      title,
      rows,
      notes: [
        `floor: start all of ${N} (startsecs=1) >= ${(best + 1000).toFixed(0)} ms plus the ctl's own start, whatever the supervisor`,
        'the tssupervisord column is the C loop, not the daemon; there is nothing to compare it with',
      ],
    };
  } finally {
    removeTempDir(dir);
  }
}

if (isMain(import.meta.url)) {
  const { rows, notes } = await run();
  printTable(title, rows, notes);
}
