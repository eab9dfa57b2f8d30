// max_memory with real children: the resident memory of the whole process tree is sampled, and
// a run above the limit is restarted within a second of crossing it; programs that do not set
// it are never sampled.

import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ProcessConfig } from '../src/config/schema.js';
import { ppidScanSource, sumTreeRss, treeRss, treeSource, type TreeSource } from '../src/host/proc-tree.js';
import { systemClock } from '../src/process/clock.js';
import { runWatchesFor } from '../src/supervisor/run-watches.js';
import { isGone, pidFromFile, readText, startDaemon, until } from './support/daemon-process.js';
import { FIXTURES, fixture, groupOf, programConfig, startSupervisor, type Harness } from './support/supervisor-harness.js';
import { tempDir, writeTree } from './support/tmp.js';
import { childrenOf, killQuietly, vmRssKb, waitForFile, waitGone, waitUntil } from './support/wait.js';

const MB = 1024 * 1024;
const LIMIT = 150 * MB;
/** The growers' pace: 2 MB every 50 ms (40 MB/s), so one 500 ms sample interval is 20 MB. */
const STEP_MB = 2;
const STEP_MS = 50;

interface Sample {
  readonly at: number;
  readonly rss: number;
}

/** The summed VmRSS of `pids()` every 10 ms, read from /proc/PID/status: apart from the daemon's
 *  own reading (statm and children files), so the test checks it rather than repeats it. */
function sampleRss(pids: () => readonly number[]): Sample[] {
  const samples: Sample[] = [];
  const timer = setInterval(() => {
    const rss = pids().reduce((sum, pid) => sum + vmRssKb(pid) * 1024, 0);
    if (!Number.isNaN(rss)) samples.push({ at: Date.now(), rss });
  }, 10);
  onTestFinished(() => {
    clearInterval(timer);
  });
  return samples;
}

const withMemoryWatch = { watchesFor: (p: ProcessConfig) => runWatchesFor(p, { clock: systemClock }) };

function grower(name: string, ...mode: string[]): ProcessConfig {
  // stopasgroup: the restart's SIGTERM reaches a growing grandchild too.
  return programConfig({ name, command: fixture('grow-memory.mjs', STEP_MB, STEP_MS, ...mode), maxMemoryBytes: LIMIT, stopAsGroup: true, killAsGroup: true });
}

/** Waits for the max_memory line; returns when it was logged and the MB it names. */
async function restartLine(h: Harness, name: string): Promise<{ at: number; mb: number }> {
  const line = await h.waitForLog(new RegExp(`^WARN ${name} exceeded max_memory \\((\\d+) MB > 150 MB\\): restarting$`, 'u'), 20_000);
  const at = h.logEntries.find((e) => e.line === line)?.at ?? Number.NaN;
  return { at, mb: Number(/\((\d+) MB/u.exec(line)?.[1]) };
}

/** A gap between two of the test's 10 ms samples longer than this means nothing ran at all. */
const STALL_MS = 100;

/** The crossing as the test's own sampler saw it, its last sample before `until`, and the time
 *  from one to the other that the machine was running. This shared VM sometimes stops every
 *  process for a second or two: the grower does not grow meanwhile, so that time is no delay of
 *  the daemon's. A daemon that stalled on its own is caught by the size at the restart instead
 *  (the grower, another process, would have grown far past the limit). */
function around(samples: readonly Sample[], until: number): { crossedAt: number; lastRss: number; reactionMs: number; stalledMs: number; timeline: string } {
  const crossed = samples.findIndex((s) => s.rss > LIMIT);
  const window = samples.slice(crossed).filter((s) => s.at <= until);
  const last = window.at(-1);
  if (crossed < 0 || last === undefined) throw new Error(`no crossing in ${samples.length} samples`);
  const stalledMs = [...window.map((s) => s.at), until].reduce((sum, at, i, ats) => sum + Math.max(0, at - (ats[i - 1] ?? at) - STALL_MS), 0);
  const crossedAt = window[0]?.at ?? Number.NaN;
  const timeline = samples.filter((_, i) => i % 10 === 0 || i === crossed).map((s) => `${s.at - (samples[0]?.at ?? 0)}:${(s.rss / MB).toFixed(1)}`).join(' ');
  return { crossedAt, lastRss: last.rss, reactionMs: until - crossedAt - stalledMs, stalledMs, timeline };
}

describe('max_memory', () => {
  it('restarts a growing process within a second of crossing the limit, near the limit', async () => {
    const h = startSupervisor([groupOf([grower('grower')])], withMemoryWatch);
    await h.waitForState('grower', 'RUNNING');
    const pid = h.runner('grower').snapshot.pid;
    const samples = sampleRss(() => [pid]);
    const restart = await restartLine(h, 'grower');
    const { lastRss, reactionMs, stalledMs, timeline } = around(samples, restart.at);
    console.log(`max_memory: restarted ${reactionMs} ms after crossing (+${stalledMs} ms the machine stalled), at ${restart.mb} MB (test saw ${(lastRss / MB).toFixed(1)} MB)`);
    expect(reactionMs, `restart at ${restart.at - (samples[0]?.at ?? 0)} ms; ms:MB ${timeline}`).toBeLessThan(1000);
    // Not far above: at most one sample interval's growth (20 MB), plus rounding and slack.
    expect(restart.mb * MB).toBeGreaterThan(LIMIT);
    expect(restart.mb * MB).toBeLessThan(LIMIT + 30 * MB);
    // The daemon's figure (statm) is what the test read itself (status) around then.
    expect(Math.abs(restart.mb * MB - lastRss)).toBeLessThan(10 * MB);

    // Restarted: stopped with its stopsignal, then a new run at once.
    await waitGone(pid);
    await h.waitForState('grower', 'RUNNING');
    expect(h.runner('grower').snapshot.pid).not.toBe(pid);
    expect(h.logs).toContain('WARN stopped: grower (terminated by SIGTERM)');
    expect(h.transitions.filter((t) => t.name === 'grower').map((t) => t.to))
      .toEqual(['STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'STARTING', 'RUNNING']);
  });

  it('counts descendants: a grandchild that grows gets the whole tree restarted', async () => {
    const h = startSupervisor([groupOf([grower('parent', 'grandchild')])], withMemoryWatch);
    await h.waitForState('parent', 'RUNNING');
    const pid = h.runner('parent').snapshot.pid;
    const child = await waitUntil(() => childrenOf(pid)[0]?.pid, 5000, 'the growing child');
    const samples = sampleRss(() => [pid, child]);
    const childOwn = sampleRss(() => [child]);
    const rootOwn = sampleRss(() => [pid]);
    const restart = await restartLine(h, 'parent');
    const { lastRss, reactionMs, stalledMs, timeline } = around(samples, restart.at);
    console.log(`max_memory (tree): restarted ${reactionMs} ms after crossing (+${stalledMs} ms the machine stalled), at ${restart.mb} MB (test saw ${(lastRss / MB).toFixed(1)} MB)`);
    expect(reactionMs, `restart at ${restart.at - (samples[0]?.at ?? 0)} ms; ms:MB ${timeline}`).toBeLessThan(1000);
    expect(restart.mb * MB).toBeGreaterThan(LIMIT);
    expect(restart.mb * MB).toBeLessThan(LIMIT + 30 * MB);
    expect(Math.abs(restart.mb * MB - lastRss)).toBeLessThan(10 * MB);
    // Neither process alone was over the limit: only their sum was.
    const peak = (samples: readonly Sample[]): number => Math.max(...samples.filter((s) => s.at <= restart.at).map((s) => s.rss));
    expect(peak(childOwn)).toBeLessThan(LIMIT);
    expect(peak(rootOwn)).toBeLessThan(LIMIT);
    await waitGone(child);
    await waitGone(pid);
    await h.waitForState('parent', 'RUNNING');
  });

  it('a program over the limit before it is up fails its start: backoff, then FATAL, not a restart loop', async () => {
    const h = startSupervisor([groupOf([programConfig({
      name: 'big', command: fixture('sleep-forever.mjs'), maxMemoryBytes: 10 * MB, startMs: 2000, startRetries: 1,
    })])], withMemoryWatch);
    await h.waitForState('big', 'FATAL');
    expect(h.transitions.filter((t) => t.name === 'big').map((t) => t.to))
      .toEqual(['STARTING', 'STOPPING', 'BACKOFF', 'STARTING', 'STOPPING', 'BACKOFF', 'FATAL']);
    expect(h.logs.filter((l) => / big exceeded max_memory \(\d+ MB > 10 MB\): restarting$/u.test(l))).toHaveLength(2);
    expect(h.logs).toContain('WARN exited: big (terminated by SIGTERM; stopped for max_memory while starting)');
    expect(h.logs).toContain('INFO gave up: big entered FATAL state, too many start retries too quickly');
    expect(h.runner('big').snapshot.spawnErr).toBe('stopped for max_memory while starting');
  });

  it('never samples a program that does not set it', async () => {
    // The daemon's one /proc reader for max_memory, counted per pid.
    const reads = new Map<number, number>();
    const counting = (pid: number): number | undefined => {
      reads.set(pid, (reads.get(pid) ?? 0) + 1);
      return treeRss(pid);
    };
    const h = startSupervisor([groupOf([
      programConfig({ name: 'plain', command: fixture('sleep-forever.mjs') }),
      programConfig({ name: 'limited', command: fixture('sleep-forever.mjs'), maxMemoryBytes: 1024 * MB }),
    ], 'g')], { watchesFor: (p) => runWatchesFor(p, { clock: systemClock, treeRss: counting }) });
    await h.waitForState('plain', 'RUNNING');
    await h.waitForState('limited', 'RUNNING');
    const limited = h.runner('limited').snapshot.pid;
    // Three samples of the one that sets it (1.5 s), time enough for the other to have had some.
    await waitUntil(() => ((reads.get(limited) ?? 0) >= 3 ? true : undefined), 5000, 'three samples of limited');
    expect([...reads.keys()]).toEqual([limited]);
    expect(h.runner('plain').watches).toEqual([]);
    expect(h.runner('limited').watches.map((w) => w.during)).toEqual(['alive']);
  });
});

describe('max_memory in the daemon', () => {
  it('is read from the config and restarts the program', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'sup.conf': `[supervisord]\nlogfile=${dir}/sup.log\npidfile=${dir}/sup.pid\nchildlogdir=${dir}\n\n`
        + `[program:grower]\ncommand=${fixture('grow-memory.mjs', 4, 50)}\nstartsecs=0\nmax_memory=120MB\nstopasgroup=true\n`,
    });
    const log = `${dir}/sup.log`;
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, log);
    await d.waitForLog(/WARN grower exceeded max_memory \(\d+ MB > 120 MB\): restarting/u, 15_000);
    const pids = await until('a second spawn', () => {
      const spawned = [...readText(log).matchAll(/INFO spawned: 'grower' with pid (\d+)/gu)].map((m) => Number(m[1]));
      return spawned.length >= 2 ? spawned : undefined;
    });
    await waitGone(pids[0] ?? 0);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });
  it('reads no memory of a program without it: the daemon under strace opens no statm or children file of its pid', async () => {
    const dir = tempDir();
    const program = (name: string, extra: string): string => `[program:${name}]\ncommand=${fixture('sleep-forever.mjs')}\nstartsecs=0\n${extra}`;
    writeTree(dir, {
      'sup.conf': `[supervisord]\nlogfile=${dir}/sup.log\npidfile=${dir}/sup.pid\nchildlogdir=${dir}\n\n`
        + `${program('plain', '')}\n${program('limited', 'max_memory=1GB\n')}`,
    });
    const log = `${dir}/sup.log`;
    const trace = `${dir}/trace`;
    // -f: every thread of the daemon (and its children, which open nothing of each other's).
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, log, { via: ['strace', '-f', '-qq', '-e', 'trace=openat', '-o', trace] });
    // The daemon itself, not strace (which would only detach and leave it running): strace
    // exits as its tracee does. Also when the test fails half-way.
    const stopDaemon = async (): Promise<number | null> => {
      const pid = pidFromFile(`${dir}/sup.pid`);
      if (pid !== undefined && !isGone(pid)) process.kill(pid, 'SIGTERM');
      return d.exited();
    };
    onTestFinished(async () => {
      await stopDaemon();
    });
    const pidOf = async (name: string): Promise<number> => Number((await d.waitForLog(new RegExp(`spawned: '${name}' with pid`, 'u'))).replace(/.* pid /u, ''));
    const plain = await pidOf('plain');
    const limited = await pidOf('limited');
    const memoryReads = (pid: number): string[] => readText(trace).split('\n').filter((l) => new RegExp(`"/proc/${pid}/(statm|task/\\d+/children)"`, 'u').test(l));
    // The one that sets it is sampled (the trace would show it), three times over...
    await until('three samples of limited in the trace', () => (memoryReads(limited).filter((l) => l.includes('statm')).length >= 3 ? true : undefined), 10_000);
    // ...and the other never.
    expect(memoryReads(plain)).toEqual([]);
    expect(await stopDaemon()).toBe(0);
  });
});

describe('the process tree max_memory sums', () => {
  it('is the same from the children files as from a scan of every parent link (kernels without them)', async () => {
    const dir = tempDir();
    const root = spawn(process.execPath, [`${FIXTURES}spawn-grandchild.mjs`, `${dir}/grandchild.pid`], { stdio: 'ignore' });
    const pid = root.pid ?? 0;
    onTestFinished(() => {
      killQuietly(pid);
    });
    const grandchild = Number(await waitForFile(`${dir}/grandchild.pid`, /^\d+$/u));
    onTestFinished(() => {
      killQuietly(grandchild);
    });
    const visited = (source: TreeSource): number[] => {
      const pids: number[] = [];
      sumTreeRss(pid, { childrenOf: (p) => source.childrenOf(p), residentBytes: (p) => { pids.push(p); return source.residentBytes(p); } });
      return pids.sort((a, b) => a - b);
    };
    expect(visited(treeSource())).toEqual([pid, grandchild].sort((a, b) => a - b));
    expect(visited(ppidScanSource())).toEqual([pid, grandchild].sort((a, b) => a - b));
    // statm's resident pages are VmRSS: the sum is the two processes' (they hardly move while idle).
    const status = (vmRssKb(pid) + vmRssKb(grandchild)) * 1024;
    expect(Math.abs((treeRss(pid) ?? 0) - status)).toBeLessThan(2 * MB);
    // Reaped (not just a zombie, whose statm reads 0): gone.
    const reaped = new Promise((resolve) => root.once('exit', resolve));
    root.kill('SIGKILL');
    await reaped;
    expect(treeRss(pid)).toBeUndefined();
  });

  it('reads a children file longer than one read (1000 children: over 4 KiB of pids)', async () => {
    const root = spawn('/bin/sh', ['-c', 'i=0; while [ $i -lt 1000 ]; do sleep 60 & i=$((i+1)); done; wait'], { stdio: 'ignore', detached: true });
    const pid = root.pid ?? 0;
    onTestFinished(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    const children = await waitUntil(() => {
      const live = childrenOf(pid);
      return live.length === 1000 ? live.map((c) => c.pid) : undefined;
    }, 15_000, '1000 children');
    const visited: number[] = [];
    const source = treeSource();
    sumTreeRss(pid, { childrenOf: (p) => source.childrenOf(p), residentBytes: (p) => { visited.push(p); return source.residentBytes(p); } });
    expect(visited.sort((a, b) => a - b)).toEqual([pid, ...children].sort((a, b) => a - b));
  });
});
