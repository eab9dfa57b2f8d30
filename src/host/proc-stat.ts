// /proc/<pid>/stat, the facts a supervisor needs about a process it did not spawn itself: whose
// child it is, whether it is still the same process (its start time), and whether it is a zombie.
// The one parser of that line, for the daemon and the tests alike.

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
  readonly ppid: number;
  /** Field 22, clock ticks after boot: with the pid, names one process for the machine's uptime. */
  readonly startTime: string | undefined;
  /** utime + stime (fields 14 and 15), clock ticks; undefined when the line is cut short. */
  readonly cpuTicks: number | undefined;
}

/** Clock ticks per second (sysconf(_SC_CLK_TCK)): USER_HZ, 100 on every Linux architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** A /proc/<pid>/stat line's fields, or undefined when it is not one. */
export function parseStat(text: string): ProcStat | undefined {
  // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, ppidText] = fields;
  const ppid = Number(ppidText);
  if (state === undefined || !Number.isInteger(ppid)) return undefined;
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { state, ppid, startTime: fields[19], cpuTicks: Number.isFinite(ticks) ? ticks : undefined };
}

/** The stat of `pid`, or undefined when there is no such process (or /proc is not mounted). */
export function procStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The start time of a live (non-zombie) `pid`. */
export function liveStartTime(pid: number): string | undefined {
  const stat = procStat(pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X' ? undefined : stat.startTime;
}
