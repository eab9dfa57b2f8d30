// Crash history (issue 12): each process keeps its last 10 ends, with how each ended and the last
// lines of its output, and a process that goes FATAL has its last lines in the main log.

import { describe, expect, it } from 'vitest';
import { fileChannel, fixture, groupOf, programConfig, startSupervisor, type Harness } from './support/supervisor-harness.js';
import { readText, until } from './support/daemon-process.js';
import { tempDir } from './support/tmp.js';

function historyOf(h: Harness, name: string): ReturnType<Harness['supervisor']['historyOf']> {
  return h.supervisor.historyOf(h.runner(name));
}

describe('crash history', () => {
  it('keeps the exit code and the last 20 lines of each channel of a run', async () => {
    const h = startSupervisor([groupOf([programConfig({
      name: 'crash', command: fixture('say-lines.mjs', 25, 3, 3), autorestart: 'false', startMs: 0,
    })])]);
    await h.waitForState('crash', 'EXITED');
    const [entry, ...older] = await until('the end in history', () => (historyOf(h, 'crash').length > 0 ? historyOf(h, 'crash') : undefined), 5000);
    expect(older).toEqual([]);
    expect(entry?.end).toMatchObject({ exitCode: 3, signal: null, description: 'exit status 3', expected: false, stoppedFor: null, stateAfter: 'EXITED' });
    expect(entry?.end.endedAt).toBeGreaterThanOrEqual(entry?.end.startedAt ?? Infinity);
    // The run's pipes may be read just after its exit: the entry reads them as they end.
    await until('all its output', () => (historyOf(h, 'crash')[0]?.stdout.length === 20 ? true : undefined), 3000);
    const [last] = historyOf(h, 'crash');
    expect(last?.stdout).toEqual(Array.from({ length: 20 }, (_, i) => `out ${i + 6}`));
    expect(last?.stderr).toEqual(['err 1', 'err 2', 'err 3']);
  });

  it('names the signal of a kill -9 and that nobody asked for it; a stop says it was stopped', async () => {
    const dir = tempDir();
    const h = startSupervisor([groupOf([programConfig({
      name: 'victim', command: fixture('say-lines.mjs', 1, 1, 'sleep'), autorestart: 'true', startMs: 0,
      stdout: fileChannel(`${dir}/out.log`), stderr: fileChannel(`${dir}/err.log`),
    })])]);
    await h.waitForState('victim', 'RUNNING');
    // Killed only once it has written both lines (the log files show they were read).
    await until('its output', () => (readText(`${dir}/out.log`).includes('out 1') && readText(`${dir}/err.log`).includes('err 1') ? true : undefined), 5000);
    const first = h.runner('victim').snapshot.pid;
    process.kill(first, 'SIGKILL');
    await until('a new run', () => (h.runner('victim').snapshot.pid !== first && h.runner('victim').snapshot.state === 'RUNNING' ? true : undefined), 5000);
    h.runner('victim').stop();
    await h.waitForState('victim', 'STOPPED');
    const [stopped, killed] = historyOf(h, 'victim');
    expect(killed?.end).toMatchObject({ pid: first, exitCode: null, signal: 'KILL', description: 'terminated by SIGKILL', expected: false, stoppedFor: null });
    expect(killed?.stdout).toEqual(['out 1']);
    expect(killed?.stderr).toEqual(['err 1']);
    expect(stopped?.end).toMatchObject({ signal: 'TERM', stoppedFor: 'stopped', stateAfter: 'STOPPED' });
  });

  it('is bounded: 11 ends keep the newest 10', async () => {
    const h = startSupervisor([groupOf([programConfig({
      name: 'loop', command: fixture('say-lines.mjs', 1, 0, 1), autorestart: 'true', startMs: 0,
    })])]);
    await until('11 ends', () => (h.logs.filter((l) => l.includes('exited: loop')).length >= 11 ? true : undefined), 20_000);
    h.runner('loop').stop();
    await h.waitForState('loop', 'STOPPED');
    const history = historyOf(h, 'loop');
    expect(history).toHaveLength(10);
    const pids = h.logs.flatMap((l) => /spawned: 'loop' with pid (\d+)/u.exec(l)?.[1] ?? []).map(Number);
    // Newest first: the last 10 runs' pids, in reverse.
    expect(history.map((e) => e.end.pid)).toEqual(pids.slice(-10).reverse());
  });

  it('logs the last lines after `gave up:`, and says so when there were none', async () => {
    const h = startSupervisor([groupOf([
      programConfig({ name: 'web', command: fixture('say-lines.mjs', 1, 2, 1), startMs: 1000, startRetries: 0 }),
      programConfig({ name: 'mute', command: fixture('say-lines.mjs', 0, 0, 1), startMs: 1000, startRetries: 0 }),
    ], 'g')]);
    await h.waitForState('web', 'FATAL');
    await h.waitForState('mute', 'FATAL');
    await h.waitForLog(/INFO web last stderr: err 2/u, 3000);
    await h.waitForLog(/INFO mute wrote no output before FATAL/u, 3000);
    const web = h.logs.filter((l) => / web /u.test(` ${l} `) && (l.includes('gave up: web') || l.includes('web last')));
    expect(web).toEqual([
      'INFO gave up: web entered FATAL state, too many start retries too quickly',
      'INFO web last stdout: out 1',
      'INFO web last stderr: err 1',
      'INFO web last stderr: err 2',
    ]);
  });

  it('waits for the pipes of the run that went FATAL: what is read after the exit is in its last lines', async () => {
    // The grandchild writes to the inherited stderr 300 ms after the child exited.
    const h = startSupervisor([groupOf([programConfig({
      name: 'late', command: "/bin/sh -c 'echo early; (sleep 0.3; echo late-line >&2) & exit 1'", startMs: 1000, startRetries: 0,
    })])]);
    await h.waitForState('late', 'FATAL');
    await h.waitForLog(/INFO late last stderr: late-line/u, 3000);
    const at = h.logs.findIndex((l) => l.startsWith('INFO gave up: late'));
    expect(h.logs.slice(at + 1).filter((l) => l.includes('late last'))).toEqual(['INFO late last stdout: early', 'INFO late last stderr: late-line']);
    expect(historyOf(h, 'late')[0]?.stderr).toEqual(['late-line']);
  });
});
