// Runs the built tssupervisord as a real process and watches its log file, for end-to-end tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { onTestFinished } from 'vitest';
import { DAEMON_BIN } from './bins.js';

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function until<T>(what: string, check: () => T | undefined, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Pids of the live (non-zombie) children of `pid`. */
export function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid && fields[0] !== 'Z') kids.push(Number(entry));
  }
  return kids;
}

export function isGone(pid: number): boolean {
  const stat = readText(`/proc/${pid}/stat`);
  return stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

export interface RunningDaemon {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited(): Promise<number | null>;
}

/** Starts `tssupervisord args…` in `cwd`; its main log is `logfile` (for waitForLog). */
export function startDaemon(args: readonly string[], cwd: string, logfile: string): RunningDaemon {
  const child = spawn(process.execPath, [DAEMON_BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    resolve(code);
  }));
  onTestFinished(() => {
    if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitForLog(pattern, timeoutMs = 10_000) {
      return until(`log line ${String(pattern)} in ${logfile}\n--- log so far:\n${readText(logfile)}\n--- stderr:\n${err}`,
        () => readText(logfile).split('\n').find((l) => pattern.test(l)), timeoutMs);
    },
    exited: async () => exit,
  };
}

export function pidFromFile(file: string): number | undefined {
  return existsSync(file) ? Number(readText(file).trim()) || undefined : undefined;
}
