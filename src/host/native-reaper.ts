// waitpid(pid, WNOHANG), which Node does not expose, from the optional native addon
// (native-addon.ts); callers do without when it is absent.

import { loadNativeAddon } from './native-addon.js';

export interface Reaped {
  readonly pid: number;
  /** The raw wait status (see describeWaitStatus). */
  readonly status: number;
}

/** waitpid(pid, WNOHANG): the collected child, or null while it runs or if it is not our child. */
export type ReapFn = (pid: number) => Reaped | null;

/** The addon's reap(), or the reason it cannot be had. */
export function loadNativeReaper(): { readonly reap: ReapFn } | { readonly missing: string } {
  const addon = loadNativeAddon();
  return 'missing' in addon ? addon : { reap: addon.reap };
}

/** A raw Linux wait status as supervisord words it: `exit status N` or `terminated by SIGX`. */
export function describeWaitStatus(status: number, signalName: (signo: number) => string): string {
  const signo = status & 0x7f;
  return signo === 0 ? `exit status ${(status >> 8) & 0xff}` : `terminated by ${signalName(signo)}`;
}
