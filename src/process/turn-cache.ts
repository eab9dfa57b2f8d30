// Answers that cannot usefully change within one event-loop turn, asked once per key per turn.
// The daemon's autostart (and `start all`) resolves the command of a thousand programs in one
// turn: with one command that was 2000 stat()/access() calls of the same file (~30 ms of the
// spawn phase). supervisord stats at each spawn; so do we, at each turn's first spawn of a path.

import { immediateScheduler, type TurnScheduler } from './spawn-queue.js';

/** `later` runs its function once the current turn's work is done (the spawn queue's scheduler). */
export function cachedPerTurn<T>(ask: (key: string) => T, later: TurnScheduler['later'] = immediateScheduler.later): (key: string) => T {
  let answers: Map<string, T> | null = null;
  return (key) => {
    if (answers === null) {
      const these = new Map<string, T>();
      answers = these;
      later(() => {
        if (answers === these) answers = null;
      });
    }
    if (answers.has(key)) return answers.get(key) as T;
    const answer = ask(key);
    answers.set(key, answer);
    return answer;
  };
}
