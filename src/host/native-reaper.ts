// waitpid(pid, WNOHANG), which Node does not expose, from the optional native addon
// (native-addon.ts); callers do without when it is absent.

import { constants } from 'node:os';
import { loadNativeAddon } from './native-addon.js';

export interface Reaped {
  readonly pid: number;
  /** The raw wait status (see describeWaitStatus). */
  readonly status: number;
}

/**
 * waitpid(pid, WNOHANG): the collected child, or null while it runs or if it is not our child, or
 * 'busy' while the native spawner may still be handing that pid over (try again shortly).
 */
export type ReapFn = (pid: number) => Reaped | null | 'busy';

/** The addon's reap(), or the reason it cannot be had. */
export function loadNativeReaper(): { readonly reap: ReapFn } | { readonly missing: string } {
  const addon = loadNativeAddon();
  return 'missing' in addon ? addon : { reap: addon.reap };
}

/** A raw Linux wait status: the exit code, or the number of the signal that ended the process. */
export function decodeWaitStatus(status: number): { readonly code: number; readonly signo: null } | { readonly code: null; readonly signo: number } {
  const signo = status & 0x7f;
  return signo === 0 ? { code: (status >> 8) & 0xff, signo: null } : { code: null, signo };
}

let signalNames: Map<number, string> | undefined;
/** Node's name of a signal number ('SIGKILL'), undefined for one it lacks. */
export function signalNameOf(signo: number): string | undefined {
  signalNames ??= new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));
  return signalNames.get(signo);
}

/** The number of a signal named without its SIG prefix ('TERM' -> 15), undefined for one Node lacks. */
export function signalNumberOf(signal: string): number | undefined {
  const signals: Readonly<Record<string, number | undefined>> = constants.signals;
  return signals[`SIG${signal}`];
}

/** A raw Linux wait status as supervisord words it: `exit status N` or `terminated by SIGX`. */
export function describeWaitStatus(status: number, signalName: (signo: number) => string): string {
  const { code, signo } = decodeWaitStatus(status);
  return signo === null ? `exit status ${code}` : `terminated by ${signalName(signo)}`;
}
