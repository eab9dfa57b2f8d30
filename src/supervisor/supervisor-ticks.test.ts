import { describe, expect, it } from 'vitest';
import { FakeClock, FakeSpawner } from '../../test/support/fakes.js';
import { fakeDaemonConfig, groupOf, programConfig } from '../../test/support/supervisor-harness.js';
import type { GroupConfig } from '../config/schema.js';
import type { EngineEvent } from '../events/types.js';
import { Supervisor } from './supervisor.js';

const program = (name: string): GroupConfig =>
  groupOf([programConfig({ name, command: `/bin/${name}`, autostart: false })]);

const listener = (name: string, events: string[]): GroupConfig => ({
  ...groupOf([programConfig({ name, command: `/bin/${name}`, autostart: false })]),
  kind: 'eventlistener',
  eventListener: { events, bufferSize: 10, resultHandler: 'supervisor.dispatchers:default_handler' },
});

function setup(groups: readonly GroupConfig[]) {
  const clock = new FakeClock();
  const supervisor = new Supervisor(fakeDaemonConfig(groups), {
    spawner: new FakeSpawner(), clock, stat: () => undefined, log: () => undefined,
    daemonEnv: {}, serverUrl: null, outputFor: () => ({ attach: () => undefined }), isRoot: true, gidOf: () => undefined,
  });
  const ticks: string[] = [];
  supervisor.flow.subscribe((event: EngineEvent) => {
    if (event.name.startsWith('TICK_')) ticks.push(event.name);
  });
  return { clock, supervisor, ticks };
}

describe('ticks run only while a listener pool takes them', () => {
  it('makes none, and arms no timer, with no pool subscribed to a tick (an idle daemon never wakes)', () => {
    const { clock, supervisor, ticks } = setup([program('web'), listener('states', ['PROCESS_STATE'])]);
    const stop = supervisor.runTicks();
    expect(supervisor.ticking).toBe(false);
    clock.advance(65_000);
    expect(ticks).toEqual([]);
    stop();
  });

  it('ticks every 5 s for a pool subscribed to TICK_60 alone, or to a parent (TICK, EVENT)', () => {
    for (const events of [['TICK_60'], ['TICK'], ['EVENT']]) {
      const { clock, supervisor, ticks } = setup([listener('rec', events)]);
      const stop = supervisor.runTicks();
      expect(supervisor.ticking).toBe(true);
      clock.advance(10_000);
      expect(ticks.filter((t) => t === 'TICK_5')).toHaveLength(2);
      stop();
      expect(supervisor.ticking).toBe(false);
      clock.advance(10_000);
      expect(ticks.filter((t) => t === 'TICK_5')).toHaveLength(2);
    }
  });

  it('starts when such a pool is added (update) and stops when the last one is removed', () => {
    const { clock, supervisor, ticks } = setup([program('web')]);
    const stop = supervisor.runTicks();
    clock.advance(10_000);
    expect(ticks).toEqual([]);
    supervisor.addGroup(listener('rec', ['TICK_5']));
    expect(supervisor.ticking).toBe(true);
    clock.advance(5_000);
    expect(ticks).toEqual(['TICK_5']);
    supervisor.addGroup(listener('rec2', ['TICK_3600']));
    supervisor.removeGroup('rec');
    expect(supervisor.ticking).toBe(true);
    supervisor.removeGroup('rec2');
    expect(supervisor.ticking).toBe(false);
    clock.advance(20_000);
    expect(ticks).toEqual(['TICK_5']);
    stop();
  });

  it('stops on a reload (clearGroups) and starts again when the reloaded config has a tick pool', () => {
    const { clock, supervisor, ticks } = setup([listener('rec', ['TICK_5'])]);
    const stop = supervisor.runTicks();
    supervisor.clearGroups();
    expect(supervisor.ticking).toBe(false);
    clock.advance(10_000);
    expect(ticks).toEqual([]);
    supervisor.addGroup(program('web'));
    expect(supervisor.ticking).toBe(false);
    supervisor.addGroup(listener('rec', ['TICK_5']));
    clock.advance(5_000);
    expect(ticks).toEqual(['TICK_5']);
    stop();
  });

  it('makes none before runTicks (the daemon starts them once running) even with a tick listener', () => {
    const { clock, supervisor, ticks } = setup([listener('rec', ['TICK_5'])]);
    clock.advance(20_000);
    expect(supervisor.ticking).toBe(false);
    expect(ticks).toEqual([]);
  });
});
