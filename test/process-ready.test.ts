// ready=: a process stays STARTING until startsecs has passed AND its probe passed; not ready in
// ready_timeout is a failed start. Real children, with a probe the test controls, so each case
// is decided by what the test does, not by timing.

import { describe, expect, it } from 'vitest';
import type { ReadySpec } from '../src/config/schema.js';
import type { Probe, ProbeFactory, ProbeRun } from '../src/process/probe.js';
import { processInfo } from '../src/supervisor/process-info.js';
import { fixture, groupOf, programConfig, startSupervisor } from './support/supervisor-harness.js';

/** A probe that passes when the test says so; records its runs and whether each was stopped. */
function controlledProbes(): { factory: ProbeFactory; pass: () => void; runs: { run: ProbeRun; stopped: boolean }[]; closed: string[] } {
  const runs: { run: ProbeRun; stopped: boolean }[] = [];
  const closed: string[] = [];
  let current: (() => void) | null = null;
  const factory: ProbeFactory = (_spec: ReadySpec, p) => {
    const probe: Probe = {
      description: 'tcp:127.0.0.1:1',
      environment: () => ({ READY_TEST: '1' }),
      start(run, ready) {
        const entry = { run, stopped: false };
        runs.push(entry);
        current = ready;
        return () => {
          entry.stopped = true;
          current = null;
        };
      },
      close: () => closed.push(p.name),
    };
    return probe;
  };
  return { factory, pass: () => current?.(), runs, closed };
}

const READY: ReadySpec = { kind: 'tcp', host: '127.0.0.1', port: 1 };

describe('ready= with real children', () => {
  it('stays STARTING (and says so in status) until the probe passes, then RUNNING with the probe in the success line', async () => {
    const probes = controlledProbes();
    // startsecs=0: without ready= it would be RUNNING in the same turn as the spawn.
    const h = startSupervisor([groupOf([programConfig({ name: 'app', command: fixture('sleep-forever.mjs'), startMs: 0, ready: READY })])], { probes: probes.factory });
    await h.waitForLog(/spawned: 'app' with pid \d+/u);
    const r = h.runner('app');
    expect(r.snapshot.state).toBe('STARTING');
    const info = processInfo({ name: 'app', group: 'app', snapshot: r.snapshot, stdoutLogfile: '', stderrLogfile: '', nowMs: Date.now(), readyProbe: r.readyProbe });
    expect(info.description).toBe('not ready yet: tcp:127.0.0.1:1');
    expect(probes.runs[0]?.run.pid).toBe(r.snapshot.pid);
    expect(probes.runs[0]?.run.env['READY_TEST']).toBe('1');
    probes.pass();
    await h.waitForState('app', 'RUNNING');
    expect(h.logs).toContain('INFO success: app entered RUNNING state, process has stayed up for > than 0 seconds (startsecs) and is ready (tcp:127.0.0.1:1)');
    expect(probes.runs[0]?.stopped).toBe(true);
  });

  it('not ready within ready_timeout: stopped, retried, FATAL after startretries; each run gets its own probe run', async () => {
    const probes = controlledProbes();
    const h = startSupervisor([groupOf([programConfig({
      name: 'slow', command: fixture('sleep-forever.mjs'), startMs: 0, ready: READY, readyTimeoutMs: 300, startRetries: 1,
    })])], { probes: probes.factory });
    await h.waitForState('slow', 'FATAL', 15_000);
    expect(h.logs.filter((l) => l.includes('not ready: slow did not pass its ready probe within 0.3 seconds (ready_timeout); stopping it'))).toHaveLength(2);
    expect(h.logs.some((l) => /exited: slow \(terminated by SIGTERM; not ready in time\)/u.test(l))).toBe(true);
    expect(probes.runs).toHaveLength(2);
    expect(probes.runs.every((x) => x.stopped)).toBe(true);
    expect(h.runner('slow').snapshot.spawnErr).toBe('not ready within 0.3 seconds (ready_timeout)');
  });

  it('a probe that passes after its run ended is ignored, and removing the group closes the probe', async () => {
    const probes = controlledProbes();
    const h = startSupervisor([groupOf([programConfig({ name: 'p', command: fixture('sleep-forever.mjs'), startMs: 0, ready: READY })])], { probes: probes.factory });
    await h.waitForLog(/spawned: 'p'/u);
    const ready = probes.pass;
    h.runner('p').stop();
    await h.waitForState('p', 'STOPPED');
    ready();
    expect(h.runner('p').snapshot.state).toBe('STOPPED');
    h.supervisor.removeGroup('p');
    expect(probes.closed).toEqual(['p']);
  });
});
