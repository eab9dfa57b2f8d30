import { describe, expect, it } from 'vitest';
import { groupOf, programConfig, startSupervisor } from '../../test/support/supervisor-harness.js';
import { ProcessCounters } from '../supervisor/process-counters.js';
import { MetricsSource } from './metrics-source.js';

describe('MetricsSource', () => {
  it('shares the sample in flight among concurrent scrapes, and yields to the event loop between batches', async () => {
    const groups = Array.from({ length: 450 }, (_, i) => groupOf([programConfig({ name: `p_${i}`, command: '/bin/sleep 100' })]));
    const { supervisor } = startSupervisor(groups, { autostart: false });
    let reloads = 0;
    const source = new MetricsSource({ supervisor, counters: new ProcessCounters(supervisor.flow), logsOf: () => undefined, configReloads: () => reloads });
    let otherWorkRan = false;
    const first = source.sample();
    const second = source.sample();
    setImmediate(() => { otherWorkRan = true; });
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    // 450 processes are sampled in three batches, with the event loop's other work in between.
    expect(otherWorkRan).toBe(true);
    expect(a.processes).toHaveLength(450);
    expect(a.processes[0]).toEqual({
      group: 'p_0', name: 'p_0', state: 'STOPPED', startTimeSeconds: 0, restarts: 0, exitsExpected: 0, exitsUnexpected: 0,
      lastExitCode: null, residentBytes: null, cpuSeconds: null, healthCheckFailures: null, logBytesStdout: 0, logBytesStderr: 0,
    });
    // The loop-delay monitor starts at the first scrape: no figure yet.
    expect(a.daemon.eventLoopLag).toBeNull();
    expect(a.daemon.openFds).toBeGreaterThan(2);
    reloads = 2;
    const later = await source.sample();
    expect(later).not.toBe(a);
    expect(later.daemon.configReloads).toBe(2);
    expect(source.extrasOf('p_1')).toEqual({ restarts: 0, memory: null });
    expect(source.extrasOf('nosuch')).toEqual({ restarts: 0, memory: null });
  });
});
