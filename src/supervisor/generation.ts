// What one daemon leaves for the next: every running child's pid, its kernel start time, its
// program and how that program is stopped. A daemon killed with SIGKILL cannot stop its children
// (each runs in its own process group, so they live on under init); the next daemon reads this
// record and stops the survivors before it spawns anything, so a program never runs twice.
// Pure: the caller reads /proc and the file.

/** One child as the daemon that spawned it knew it. */
export interface ChildRecord {
  readonly namespec: string;
  readonly pid: number;
  /** /proc/<pid>/stat field 22 (clock ticks after boot): a recycled pid has another. */
  readonly startTime: string;
  readonly priority: number;
  /** Bare name, as in the config: 'TERM'. */
  readonly stopSignal: string;
  readonly stopWaitMs: number;
  readonly stopAsGroup: boolean;
  readonly killAsGroup: boolean;
}

export interface GenerationRecord {
  readonly daemonPid: number;
  readonly children: readonly ChildRecord[];
}

const FORMAT = 'tssupervisord-children/1';

export function serializeGeneration(record: GenerationRecord): string {
  return `${JSON.stringify({ format: FORMAT, daemonPid: record.daemonPid, children: record.children }, null, 1)}\n`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function childFrom(v: unknown): ChildRecord | null {
  if (!isRecord(v)) return null;
  const { namespec, pid, startTime, priority, stopSignal, stopWaitMs, stopAsGroup, killAsGroup } = v;
  if (typeof namespec !== 'string' || !isCount(pid) || pid <= 1 || typeof startTime !== 'string' || !/^\d+$/u.test(startTime)) return null;
  if (typeof priority !== 'number' || typeof stopSignal !== 'string' || !/^[A-Z0-9]+$/u.test(stopSignal) || !isCount(stopWaitMs)) return null;
  if (typeof stopAsGroup !== 'boolean' || typeof killAsGroup !== 'boolean') return null;
  return { namespec, pid, startTime, priority, stopSignal, stopWaitMs, stopAsGroup, killAsGroup };
}

/** The record in `text`, or null when it is not one (a torn write, another program's file). */
export function parseGeneration(text: string): GenerationRecord | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(data) || data['format'] !== FORMAT || !isCount(data['daemonPid']) || !Array.isArray(data['children'])) return null;
  const children = data['children'].map(childFrom).filter((c) => c !== null);
  return { daemonPid: data['daemonPid'], children };
}

/**
 * The recorded children that still run: the same pid with the same start time. A pid that now
 * belongs to another process (the kernel recycled it) is left alone.
 */
export function survivorsOf(record: GenerationRecord, startTimeOf: (pid: number) => string | undefined): ChildRecord[] {
  return record.children.filter((c) => startTimeOf(c.pid) === c.startTime);
}

/** Stop order, as shutdown's: highest priority value first; equal priorities together. */
export function stopWaves(children: readonly ChildRecord[]): ChildRecord[][] {
  const priorities = [...new Set(children.map((c) => c.priority))].sort((a, b) => b - a);
  return priorities.map((p) => children.filter((c) => c.priority === p));
}
