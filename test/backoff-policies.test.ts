// backoff=exponential / backoff_max and fatal_retry_after with real children: the waits between
// failed starts as the clock shows them, and FATAL tried again from a fresh count.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES, groupOf, programConfig, startSupervisor, type Harness, type Transition } from './support/supervisor-harness.js';
import { tempDir } from './support/tmp.js';

const of = (h: Harness, name: string): Transition[] => h.transitions.filter((t) => t.name === name);

/** The waits between one failed start and the next try: BACKOFF entered → STARTING. */
function backoffWaits(h: Harness, name: string): number[] {
  const changes = of(h, name);
  return changes.flatMap((t, i) => {
    const next = changes[i + 1];
    return t.to === 'BACKOFF' && next?.to === 'STARTING' ? [next.at - t.at] : [];
  });
}

/** Each wait is the one asked for, with the real clock's slack (timers are late, never early). */
function expectWaits(waits: readonly number[], wantSeconds: readonly number[]): void {
  expect(waits, `waits ${waits.join(', ')} ms`).toHaveLength(wantSeconds.length);
  waits.forEach((wait, i) => {
    const want = (wantSeconds[i] ?? Number.NaN) * 1000;
    expect(wait, `wait ${i + 1} of ${waits.join(', ')} ms`).toBeGreaterThanOrEqual(want - 20);
    expect(wait, `wait ${i + 1} of ${waits.join(', ')} ms`).toBeLessThanOrEqual(want + 300);
  });
}

describe('backoff', () => {
  it('linear waits 1, 2, 3 s; exponential 1, 2, 4 s; backoff_max caps it (1, 2, 2 s)', async () => {
    const failing = { command: '/bin/false', startMs: 500, startRetries: 3 };
    const h = startSupervisor([groupOf([
      programConfig({ name: 'linear', ...failing }),
      programConfig({ name: 'exponential', ...failing, backoff: 'exponential' }),
      programConfig({ name: 'capped', ...failing, backoff: 'exponential', backoffMaxMs: 2000 }),
    ], 'g')]);
    await Promise.all(['linear', 'exponential', 'capped'].map(async (name) => h.waitForState(name, 'FATAL', 15_000)));
    expectWaits(backoffWaits(h, 'linear'), [1, 2, 3]);
    expectWaits(backoffWaits(h, 'exponential'), [1, 2, 4]);
    expectWaits(backoffWaits(h, 'capped'), [1, 2, 2]);
    for (const name of ['linear', 'exponential', 'capped']) {
      expect(h.logs).toContain(`INFO gave up: ${name} entered FATAL state, too many start retries too quickly`);
    }
  }, 20_000);
});

describe('fatal_retry_after', () => {
  it('starts a FATAL process again after that long, from a fresh count, until it comes up', async () => {
    const flag = `${tempDir()}/up`;
    // Fails until the test creates its flag file (a dependency that comes back, say).
    const h = startSupervisor([groupOf([programConfig({
      name: 'flaky', startMs: 200, startRetries: 1, fatalRetryAfterMs: 2000,
      command: `/bin/sh -c 'test -f ${flag} || exit 1; exec ${process.execPath} ${FIXTURES}sleep-forever.mjs'`,
    })])]);
    await h.waitForState('flaky', 'FATAL');
    await h.waitForLog(/^INFO retrying: flaky after 2 seconds in FATAL state \(fatal_retry_after\)$/u);
    // The second round: the same two tries as the first (a fresh count), FATAL again.
    await h.supervisor.events.waitFor('stateChanged', (c) => c.process.name === 'flaky' && c.to === 'FATAL', 10_000);
    writeFileSync(flag, '');
    await h.waitForState('flaky', 'RUNNING', 10_000);

    const changes = of(h, 'flaky');
    const round = ['STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'FATAL'];
    expect(changes.map((t) => t.to)).toEqual([...round, ...round, 'STARTING', 'RUNNING']);
    // Fresh count: the round's one backoff is 1 s again, not the 3 s a third failure would wait.
    expectWaits(backoffWaits(h, 'flaky'), [1, 1]);
    const retries = changes.flatMap((t, i) => (t.to === 'FATAL' ? [(changes[i + 1]?.at ?? Number.NaN) - t.at] : []));
    expectWaits(retries, [2, 2]);
    expect(h.logs.filter((l) => l === 'INFO flaky will be started again in 2 seconds (fatal_retry_after)')).toHaveLength(2);
    expect(h.logs.filter((l) => l === 'INFO retrying: flaky after 2 seconds in FATAL state (fatal_retry_after)')).toHaveLength(2);
  }, 20_000);

  it('a stop while it waits keeps it down (STOPPED), and nothing starts it', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'down', command: '/bin/false', startMs: 200, startRetries: 0, fatalRetryAfterMs: 1000 })])]);
    await h.waitForState('down', 'FATAL');
    h.runner('down').stop();
    expect(h.runner('down').snapshot.state).toBe('STOPPED');
    // Measurement window: twice the retry delay passes without a state change.
    await expect(h.supervisor.events.waitFor('stateChanged', (c) => c.process.name === 'down', 2000)).rejects.toThrow(/timed out/u);
    expect(of(h, 'down').map((t) => t.to)).toEqual(['STARTING', 'BACKOFF', 'FATAL', 'STOPPED']);
    expect(h.logs.some((l) => l.startsWith('INFO retrying: down'))).toBe(false);
  });
});
