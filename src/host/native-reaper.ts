// The optional native addon (src/host/native/reaper.c, built by scripts/build-native.mjs into
// build/native/): waitpid(pid, WNOHANG), which Node does not expose. Absent when the machine had
// no C compiler or Node headers at install time; callers then do without.

import { createRequire } from 'node:module';

export interface Reaped {
  readonly pid: number;
  /** The raw wait status (see describeWaitStatus). */
  readonly status: number;
}

/** waitpid(pid, WNOHANG): the collected child, or null while it runs or if it is not our child. */
export type ReapFn = (pid: number) => Reaped | null;

// Same depth from src/host/ (tests) and dist/host/ (the built daemon) to the repository root.
const ADDON = new URL('../../build/native/reaper.node', import.meta.url);

/** The addon's reap(), or the reason it cannot be had. */
export function loadNativeReaper(): { readonly reap: ReapFn } | { readonly missing: string } {
  try {
    const addon = createRequire(import.meta.url)(ADDON.pathname) as { reap?: unknown };
    if (typeof addon.reap !== 'function') return { missing: `${ADDON.pathname} has no reap()` };
    return { reap: addon.reap as ReapFn };
  } catch (error) {
    return { missing: `${ADDON.pathname} could not be loaded (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; run npm install with gcc and libc6-dev present)` };
  }
}

/** A raw Linux wait status as supervisord words it: `exit status N` or `terminated by SIGX`. */
export function describeWaitStatus(status: number, signalName: (signo: number) => string): string {
  const signo = status & 0x7f;
  return signo === 0 ? `exit status ${(status >> 8) & 0xff}` : `terminated by ${signalName(signo)}`;
}
