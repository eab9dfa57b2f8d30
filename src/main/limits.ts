// minfds: supervisord raises RLIMIT_NOFILE to at least `minfds` or refuses to start. Node has no
// setrlimit, so we read /proc/self/limits and ask util-linux prlimit(1) to raise our own limit.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface FdLimits {
  readonly soft: number;
  readonly hard: number;
}

export function readFdLimits(pid: number | 'self' = 'self'): FdLimits | null {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line ?? '').slice('Max open files'.length).trim().split(/\s+/u);
    const num = (v: string | undefined): number => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
    return line === undefined ? null : { soft: num(soft), hard: num(hard) };
  } catch {
    return null;
  }
}

/** Ensures the soft limit is >= minfds; returns a message to log, or throws a refusal. */
export function ensureMinFds(minfds: number): string | null {
  const limits = readFdLimits();
  if (limits === null || limits.soft >= minfds) return null;
  const hard = Math.max(limits.hard, minfds);
  const result = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${minfds}:${hard === Number.POSITIVE_INFINITY ? 'unlimited' : hard}`], { encoding: 'utf8' });
  const after = readFdLimits();
  if (after !== null && after.soft >= minfds) return `Increased RLIMIT_NOFILE limit to ${minfds}`;
  const why = result.error?.message ?? result.stderr.trim();
  throw new Error(
    `The minimum number of file descriptors required to run this process is ${minfds} as per the "minfds" command-line argument or config file setting. `
    + `The current environment will only allow you to open ${limits.soft} file descriptors. Either raise the number of usable file descriptors in your environment `
    + `(ulimit -n, or LimitNOFILE= in a systemd unit) or lower the minfds setting in the config file to allow the process to start.${why === '' ? '' : ` (prlimit: ${why})`}`,
  );
}
