// Scale: 200 real children (one group each, as 200 [program:x] sections) start and shut down
// cleanly, and nothing is left behind: no child of this process, running or zombie.
import { describe, expect, it } from 'vitest';
import { groupOf, programConfig, startSupervisor } from './support/supervisor-harness.js';
import { childrenOf, isGone, waitUntil } from './support/wait.js';

const COUNT = 200;

describe('many programs', () => {
  it(`${COUNT} programs all reach RUNNING, shut down cleanly, and leave no children or zombies`, async () => {
    // Children of this worker from earlier files or tests would make the final check meaningless.
    expect(childrenOf(process.pid)).toEqual([]);
    const names = Array.from({ length: COUNT }, (_, i) => `p${String(i).padStart(3, '0')}`);
    const h = startSupervisor(names.map((name, i) => groupOf(
      [programConfig({ name, command: '/bin/sleep 3600', startMs: 100, stopWaitMs: 5000 })], name, 100 + (i % 7),
    )));
    const runners = h.supervisor.runners();
    expect(runners).toHaveLength(COUNT);
    await waitUntil(() => (runners.every((r) => r.snapshot.state === 'RUNNING') ? true : undefined), 10_000,
      `all RUNNING (not yet: ${runners.filter((r) => r.snapshot.state !== 'RUNNING').map((r) => r.config.name).join(' ')})`);
    const pids = runners.map((r) => r.snapshot.pid);
    expect(new Set(pids).size).toBe(COUNT);
    expect(childrenOf(process.pid).filter((c) => c.state !== 'Z')).toHaveLength(COUNT);

    await h.supervisor.shutdown();

    expect(runners.filter((r) => r.snapshot.state !== 'STOPPED').map((r) => r.config.name)).toEqual([]);
    expect(h.logs.filter((l) => l.endsWith('(terminated by SIGTERM)'))).toHaveLength(COUNT);
    expect(h.logs.filter((l) => l.includes('SIGKILL'))).toEqual([]);
    for (const pid of pids) expect(isGone(pid)).toBe(true);
    // Node reaps its children from the SIGCHLD handler; give it a moment, then nothing may remain.
    await waitUntil(() => (childrenOf(process.pid).length === 0 ? true : undefined), 5000,
      `no children left (now: ${JSON.stringify(childrenOf(process.pid))})`);
  }, 30_000);
});
