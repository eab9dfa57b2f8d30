import { describe, expect, it } from 'vitest';
import { fixture, groupOf, programConfig, startSupervisor } from './support/supervisor-harness.js';

describe('startsecs, backoff and FATAL with real children', () => {
  it('a program that exits before startsecs ends FATAL after startretries+1 spawns, 1 s, 2 s, 3 s apart', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'quick', command: fixture('exit-with.mjs', 0), startMs: 500, startRetries: 3 })])]);
    await h.waitForState('quick', 'FATAL', 15_000);
    const spawns = h.logs.filter((l) => l.startsWith("INFO spawned: 'quick'"));
    expect(spawns).toHaveLength(4);
    expect(h.logs).toContain('INFO gave up: quick entered FATAL state, too many start retries too quickly');
    expect(h.logs.filter((l) => l === 'WARN exited: quick (exit status 0; not expected)')).toHaveLength(4);
  }, 20_000);

  it('becomes RUNNING only after startsecs', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'sleeper', command: fixture('sleep-forever.mjs'), startMs: 300 })])]);
    await h.waitForState('sleeper', 'STARTING');
    const started = Date.now();
    await h.waitForState('sleeper', 'RUNNING');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(h.logs).toContain('INFO success: sleeper entered RUNNING state, process has stayed up for > than 0.3 seconds (startsecs)');
  });
});
