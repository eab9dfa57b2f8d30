// /proc/<pid>/stat, the facts a supervisor needs about a process it did not spawn itself: is it
// still the same process (its start time), and is it only a zombie.

import { readdirSync, readFileSync } from 'node:fs';

/** Every pid in /proc now (none where /proc is not mounted). */
export function listPids(): number[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/u.test(name)).map(Number);
  } catch {
    return [];
  }
}

export interface ProcStat {
  /** One letter: R, S, D, Z, T ... */
  readonly state: string;
  /** Field 22, clock ticks after boot: with the pid, names one process for the machine's uptime. */
  readonly startTime: string;
}

/** The stat of `pid`, or undefined when there is no such process (or /proc is not mounted). */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  return state === undefined || startTime === undefined ? undefined : { state, startTime };
}

/** The start time of a live (non-zombie) `pid`. */
export function liveStartTime(pid: number): string | undefined {
  const stat = procStat(pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X' ? undefined : stat.startTime;
}
