import { describe, expect, it } from 'vitest';
import { SpawnQueue, type TurnScheduler } from './spawn-queue.js';

/** Turns run only when the test says, and time moves only inside jobs. */
function manualTurns(): TurnScheduler & { turns: (() => void)[]; time: number; runTurn(): void } {
  const s = {
    turns: [] as (() => void)[],
    time: 0,
    later: (fn: () => void) => {
      s.turns.push(fn);
    },
    now: () => s.time,
    runTurn: () => {
      s.turns.shift()?.();
    },
  };
  return s;
}

describe('SpawnQueue', () => {
  it('runs nothing in the pushing turn, then jobs in order while the next one fits in the budget', () => {
    const turns = manualTurns();
    const queue = new SpawnQueue(12, turns);
    const ran: number[] = [];
    for (let i = 0; i < 7; i++) {
      queue.push(() => {
        ran.push(i);
        turns.time += 4; // each "spawn" costs 4 ms
      });
    }
    expect(ran).toEqual([]);
    expect(turns.turns).toHaveLength(1);
    turns.runTurn();
    expect(ran).toEqual([0, 1, 2]); // a fourth would end at 16 ms > 12 ms: the rest yield to the loop
    expect(queue.pending).toBe(4);
    turns.runTurn();
    turns.runTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(turns.turns).toHaveLength(0);
  });

  it('runs at least one job per turn, however slow, and keeps going after a job throws', () => {
    const turns = manualTurns();
    const queue = new SpawnQueue(10, turns);
    const ran: string[] = [];
    queue.push(() => {
      turns.time += 50;
      ran.push('slow');
      throw new Error('boom');
    });
    queue.push(() => ran.push('next'));
    expect(() => {
      turns.runTurn();
    }).toThrow('boom');
    expect(ran).toEqual(['slow']);
    turns.runTurn();
    expect(ran).toEqual(['slow', 'next']);
  });

  it('schedules one turn however many jobs are pushed before it runs', () => {
    const turns = manualTurns();
    const queue = new SpawnQueue(10, turns);
    queue.push(() => undefined);
    queue.push(() => undefined);
    expect(turns.turns).toHaveLength(1);
    turns.runTurn();
    queue.push(() => undefined);
    expect(turns.turns).toHaveLength(1);
  });
});
