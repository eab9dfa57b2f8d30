// The daemon's pid file: refuse to start while another live daemon owns it, replace a stale one
// left by a daemon that was killed, remove it at exit.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

export type PidfileCheck =
  | { readonly kind: 'free' }
  | { readonly kind: 'stale'; readonly pid: number }
  | { readonly kind: 'taken'; readonly pid: number };

/** Looks at an existing pid file: is a supervisor still running under that pid? */
export function checkPidfile(file: string): PidfileCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { kind: 'free' };
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return { kind: 'stale', pid: 0 };
  // A recycled pid that now belongs to something else is stale too.
  const alive = isAlive(pid) && /supervisord/u.test(commandLineOf(pid));
  return alive ? { kind: 'taken', pid } : { kind: 'stale', pid };
}

export function writePidfile(file: string): void {
  writeFileSync(file, `${process.pid}\n`);
}

export function removePidfile(file: string): void {
  rmSync(file, { force: true });
}
