// Answers that cannot usefully change within one event-loop turn, asked once per key per turn.
// The daemon's autostart (and `start all`) resolves the command of a thousand programs in one
// turn: with one command that was 2000 stat()/access() calls of the same file (~30 ms of the
// spawn phase). supervisord stats at each spawn; so do we, at each turn's first spawn of a path.

/** Runs `fn` in a later turn, once the current one's work is done. */
export type Later = (fn: () => void) => void;

const nextTurn: Later = (fn) => {
  setImmediate(fn);
};

export function cachedPerTurn<T>(ask: (key: string) => T, later: Later = nextTurn): (key: string) => T {
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
