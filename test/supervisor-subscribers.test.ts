// A subscriber of the engine's events must never break supervision: what it throws is logged,
// the process it heard about still gets spawned, and the other subscribers still hear the event.

import { describe, expect, it } from 'vitest';
import { fixture, groupOf, programConfig, startSupervisor } from './support/supervisor-harness.js';

describe('state-change subscribers', () => {
  it('one that throws on STARTING neither leaves the process STARTING with pid 0 nor silences the others', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'p', command: fixture('sleep-forever.mjs'), startMs: 100 })])], { autostart: false });
    h.supervisor.events.on('stateChanged', (c) => {
      if (c.to === 'STARTING') throw new Error('subscriber bug');
    });
    const heard: string[] = [];
    h.supervisor.events.on('stateChanged', (c) => heard.push(c.to));
    h.supervisor.startAutostart();
    await h.waitForState('p', 'RUNNING');
    expect(h.runner('p').snapshot.pid).toBeGreaterThan(0);
    expect(heard).toEqual(['STARTING', 'RUNNING']);
    expect(h.logs.find((l) => l.includes('a stateChanged subscriber failed (supervision goes on): Error: subscriber bug'))).toMatch(/^ERROR /u);
  });
});

describe('event flow subscribers', () => {
  it('one that throws on PROCESS_STATE_STARTING neither stalls the process nor keeps the event from the others', async () => {
    const h = startSupervisor([groupOf([programConfig({ name: 'p', command: fixture('sleep-forever.mjs'), startMs: 100 })])], { autostart: false });
    h.supervisor.flow.subscribe((e) => {
      if (e.name === 'PROCESS_STATE_STARTING') throw new Error('flow subscriber bug');
    });
    const heard: string[] = [];
    h.supervisor.flow.subscribe((e) => heard.push(e.name));
    h.supervisor.startAutostart();
    await h.waitForState('p', 'RUNNING');
    expect(h.runner('p').snapshot.pid).toBeGreaterThan(0);
    expect(heard).toEqual(['PROCESS_STATE_STARTING', 'PROCESS_STATE_RUNNING']);
    expect(h.logs.find((l) => l.includes('an event subscriber failed on PROCESS_STATE_STARTING (supervision goes on): Error: flow subscriber bug'))).toMatch(/^ERROR /u);
  });
});
