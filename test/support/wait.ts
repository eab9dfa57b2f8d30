// Waiting for facts outside the event bus (files, pids) by polling with a deadline, and the
// /proc probes the process tests use to prove children (and grandchildren) are really gone.

import { readdirSync, readFileSync } from 'node:fs';
import { procStat } from '../../src/host/proc-stat.js';

const POLL_MS = 10;

const pause = (ms: number): Promise<void> => new Promise((resolve) => {
  setTimeout(resolve, ms);
});

/** Polls `probe` until it returns something other than undefined; throws after `timeoutMs`. */
export async function waitUntil<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(POLL_MS);
  }
}

/** waitUntil for a probe that has to wait itself (an HTTP request): polled one at a time. */
export async function waitUntilAsync<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(POLL_MS * 10);
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Resolves with the whole file once its text matches `pattern` (e.g. the fixture's READY line). */
export async function waitForFile(file: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  return waitUntil(() => {
    const text = readText(file);
    return text !== undefined && pattern.test(text) ? text : undefined;
  }, timeoutMs, `${file} to match ${String(pattern)} (now: ${JSON.stringify(readText(file) ?? null)})`);
}

/** `pid (comm) S ppid …` -> state and ppid (the daemon's own parser). */
export { procStat };

/** Gone = no such pid (ESRCH), or a zombie nobody reaped yet (its code no longer runs). */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  return procStat(pid)?.state === 'Z';
}

export async function waitGone(pid: number, timeoutMs = 5000): Promise<void> {
  await waitUntil(() => (isGone(pid) ? true : undefined), timeoutMs, `pid ${pid} to be gone`);
}

/** Measurement window: true if `pid` is gone at some point within `windowMs`, false if it survived. */
export async function goneWithin(pid: number, windowMs: number): Promise<boolean> {
  return waitUntil(() => (isGone(pid) ? true : undefined), windowMs, `pid ${pid} to be gone`).catch(() => false);
}

/** Processes whose parent is `ppid`, with their state letter ('Z' = zombie). */
export function childrenOf(ppid: number): { readonly pid: number; readonly state: string }[] {
  const found: { pid: number; state: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.ppid === ppid) found.push({ pid: Number(entry), state: stat.state });
  }
  return found;
}

/** SIGKILLs `pid` if it still exists (cleanup for processes a test deliberately left behind). */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Resident memory of `pid` in kB (VmRSS), NaN if it is gone. */
export function vmRssKb(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/mu.exec(readText(`/proc/${pid}/status`) ?? '')?.[1] ?? Number.NaN);
}
