// Results of group commands print in a stable order. supervisord 4.2.5 prints `start` results in
// a fixed order (faults known at once first; then a shorter startsecs first, then priority and the
// group's configured order: `programs=w,quiet` with w numprocs=4 gives w_0 … w_3, then quiet) and
// `stop` results as each completes; we print every group command's results in that fixed order.
// The same config runs under the real supervisord as the oracle for the orders it fixes.

import { existsSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CTL_BIN } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { startDaemon, type RunningDaemon } from './support/daemon-process.js';
import { tempDir } from './support/tmp.js';

const SUPERVISORD = '/usr/bin/supervisord';

// w's processes take a moment to stop, so completion order (quiet first) differs from configured order.
const PROGRAMS = `
[program:w]
command=/bin/sh -c "trap 'sleep 0.3; exit 0' TERM; /bin/sleep 1000 & wait"
process_name=%(program_name)s_%(process_num)d
numprocs=4
autostart=false
startsecs=1

[program:quiet]
command=/bin/sleep 1000
autostart=false
startsecs=1

[group:g]
programs=w,quiet
`;

// Faults known at once come first; then each started one as its startsecs runs out.
const MIXED = `
[program:a]
command=/bin/sleep 1000
autostart=false
startsecs=1

[program:b]
command=/nonexistent/command
autostart=false

[program:c]
command=/bin/sleep 1000
autostart=false
startsecs=0

[group:m]
programs=a,b,c
`;
const MIXED_START = 'm:b: ERROR (no such file)\nm:c: started\nm:a: started';

const CLEARED = ['g:w_0', 'g:w_1', 'g:w_2', 'g:w_3', 'g:quiet', 'm:a', 'm:b', 'm:c'].map((n) => `${n}: cleared`).join('\n');

const ORDER = ['g:w_0', 'g:w_1', 'g:w_2', 'g:w_3', 'g:quiet'];
const lines = (verb: string): string => ORDER.map((n) => `${n}: ${verb}`).join('\n');

async function ctl(dir: string, ...args: string[]): Promise<string> {
  const r = await execa(process.execPath, [CTL_BIN, '-c', `${dir}/sup.conf`, ...args], { reject: false, timeout: 20_000 });
  return r.stdout + r.stderr;
}

function daemon(oracle: boolean, programs = PROGRAMS + MIXED): { dir: string; d: RunningDaemon } {
  const dir = tempDir();
  writeFileSync(`${dir}/sup.conf`, controlledDaemonHeader(dir) + programs);
  const d = startDaemon(['-c', `${dir}/sup.conf`, '-n'], dir, `${dir}/sup.log`, oracle ? { command: [SUPERVISORD] } : {});
  return { dir, d };
}

async function transcript(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (let run = 0; run < 3; run++) {
    out.push(await ctl(dir, 'start', 'g:*'), await ctl(dir, 'stop', 'g:*'));
  }
  out.push(await ctl(dir, 'start', 'g:*'), await ctl(dir, 'restart', 'g:*'), await ctl(dir, 'clear', 'all'), await ctl(dir, 'stop', 'g:*'));
  for (let run = 0; run < 2; run++) {
    out.push(await ctl(dir, 'start', 'm:*'), await ctl(dir, 'stop', 'm:*'));
  }
  return out;
}

describe('the order of group command results', () => {
  it('is the group\'s configured order every time, for start, stop, restart and clear', async () => {
    const { dir, d } = daemon(false);
    await d.waitForLog(/supervisord started with pid/u);
    const started = lines('started');
    const stopped = lines('stopped');
    expect(await transcript(dir)).toEqual([
      started, stopped, started, stopped, started, stopped,
      started, `${stopped}\n${started}`, CLEARED, stopped,
      MIXED_START, 'm:a: stopped\nm:c: stopped', MIXED_START, 'm:a: stopped\nm:c: stopped',
    ]);
    expect(await ctl(dir, 'shutdown')).toBe('Shut down');
    expect(await d.exited()).toBe(0);
  }, 60_000);

  it.runIf(existsSync(SUPERVISORD))('is supervisord 4.2.5\'s where it is fixed: start, restart\'s start half, clear', async () => {
    const { dir, d } = daemon(true);
    await d.waitForLog(/supervisord started with pid/u);
    const out = await transcript(dir);
    expect(await ctl(dir, 'shutdown')).toBe('Shut down');
    await d.exited();
    const started = lines('started');
    expect([out[0], out[2], out[4], out[6], out[7]?.split('\n').slice(5).join('\n'), out[8], out[10], out[12]]).toEqual([
      started, started, started, started, started, CLEARED, MIXED_START, MIXED_START,
    ]);
  }, 60_000);
});
