// At start: the children a SIGKILLed predecessor left running (found through its record, see
// supervisor/generation.ts) are stopped as `stop` would stop them - their stopsignal, stopwaitsecs,
// then SIGKILL, by process group where configured - before anything is spawned.

import { readFileSync, rmSync } from 'node:fs';
import { liveStartTime } from '../host/proc-stat.js';
import { parseGeneration, stopWaves, survivorsOf, type ChildRecord } from '../supervisor/generation.js';

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

const POLL_MS = 50;
/** After SIGKILL a process is gone as soon as the kernel has torn it down; this is generous. */
const KILL_GRACE_MS = 5000;

const delay = async (ms: number): Promise<void> => new Promise((resolve) => {
  setTimeout(resolve, ms);
});

function send(child: ChildRecord, signal: string, group: boolean, log: Log): void {
  try {
    process.kill(group ? -child.pid : child.pid, `SIG${signal}` as NodeJS.Signals);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ESRCH') log('error', `could not send SIG${signal} to ${child.namespec} (pid ${child.pid}) of the previous daemon: ${code ?? (error as Error).message}`);
  }
}

/** Resolves true once `child` is gone (or recycled), false after `ms`. */
async function goneWithin(child: ChildRecord, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (liveStartTime(child.pid) !== child.startTime) return true;
    if (Date.now() >= deadline) return false;
    await delay(POLL_MS);
  }
}

async function stopOne(child: ChildRecord, log: Log): Promise<void> {
  send(child, child.stopSignal, child.stopAsGroup, log);
  if (await goneWithin(child, child.stopWaitMs)) {
    log('info', `stopped: ${child.namespec} (pid ${child.pid}) of the previous daemon`);
    return;
  }
  log('warn', `killing ${child.namespec} (pid ${child.pid}) of the previous daemon with SIGKILL: still running ${child.stopWaitMs / 1000} s after SIG${child.stopSignal}`);
  send(child, 'KILL', child.killAsGroup, log);
  if (!(await goneWithin(child, KILL_GRACE_MS))) log('error', `${child.namespec} (pid ${child.pid}) of the previous daemon survived SIGKILL`);
}

/**
 * Stops what the previous daemon recorded in `file` and left running, highest priority value
 * first, and removes the record. Returns how many survivors it found.
 */
export async function stopSurvivors(file: string, log: Log): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  const record = parseGeneration(text);
  if (record === null) {
    log('warn', `ignoring ${file}: not a record of tssupervisord's children`);
    rmSync(file, { force: true });
    return 0;
  }
  const survivors = record.daemonPid === process.pid ? [] : survivorsOf(record, liveStartTime);
  if (survivors.length > 0) {
    log('warn', `the previous daemon (pid ${record.daemonPid}) ended without stopping its children; stopping ${survivors.length} left running: ${survivors.map((c) => `${c.namespec} (pid ${c.pid})`).join(', ')}`);
  }
  for (const wave of stopWaves(survivors)) await Promise.all(wave.map(async (child) => stopOne(child, log)));
  rmSync(file, { force: true });
  return survivors.length;
}
