// Runs the built tssupervisord as a real process and watches its log file, for end-to-end tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { onTestFinished } from 'vitest';
import { DAEMON_BIN } from './bins.js';
import { controlledDaemonHeader } from './configs.js';
import { tempDir } from './tmp.js';
import { childrenOf, isGone, waitUntil } from './wait.js';

/** Polls `check` until it returns a value; the argument order daemon tests read best in. */
export async function until<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  return waitUntil(check, timeoutMs, what);
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Pids of the live (non-zombie) children of `pid`. */
export function liveChildrenOf(pid: number): number[] {
  return childrenOf(pid).filter((c) => c.state !== 'Z').map((c) => c.pid);
}

export { isGone };

/** How long a failed test's cleanup waits for an orderly shutdown before killing. */
const CLEANUP_DEADLINE_MS = 15_000;

export interface RunningDaemon {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited(): Promise<number | null>;
}

export interface StartOptions {
  /** A launcher that ends in `exec "$@"`-style (e.g. bash opening descriptors first): `via… node daemon args…`. */
  readonly via?: readonly string[];
  /** Another tssupervisord script than the checkout's (an install laid out differently). */
  readonly bin?: string;
  /** Options for node itself, before the script (`--expose-gc`, `--require …`). */
  readonly nodeArgs?: readonly string[];
  /** Another daemon altogether (Python's supervisord as the oracle): its argv, before `args`. */
  readonly command?: readonly string[];
  /** Variables added to the test's own environment (NOTIFY_SOCKET, as systemd gives it). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts `tssupervisord args…` in `cwd`; its main log is `logfile` (for waitForLog). */
export function startDaemon(args: readonly string[], cwd: string, logfile: string, options: StartOptions = {}): RunningDaemon {
  const [launcher = process.execPath, ...launcherArgs] = options.via ?? [];
  const bin = options.bin ?? DAEMON_BIN;
  const script = [...(options.nodeArgs ?? []), bin, ...args];
  const command = options.via === undefined ? script : [...launcherArgs, process.execPath, ...script];
  const [other, ...otherArgs] = options.command ?? [];
  const env = { ...process.env, ...options.env };
  const child = other === undefined
    ? spawn(launcher, command, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(other, [...otherArgs, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    resolve(code);
  }));
  onTestFinished(async () => {
    const pid = child.pid;
    if (child.exitCode !== null || pid === undefined) return;
    // A test that failed half-way: ask for an orderly stop, then take down what is left, children
    // (each in its own process group) included, so nothing outlives the test.
    const kids = liveChildrenOf(pid);
    child.kill('SIGTERM');
    const stopped = await Promise.race([exit.then(() => true), new Promise<boolean>((resolve) => {
      setTimeout(resolve, CLEANUP_DEADLINE_MS, false);
    })]);
    if (stopped) return;
    for (const kid of [...kids, ...liveChildrenOf(pid)]) {
      try {
        process.kill(-kid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child.kill('SIGKILL');
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

/**
 * A daemon with two programs, `sleeper` (RUNNING once this resolves) and `idle` (STOPPED, not
 * autostarted), in a fresh folder: what the ctl tests read status from. Config: `<dir>/sup.conf`.
 */
export async function startSleeperAndIdle(): Promise<{ dir: string; daemon: RunningDaemon }> {
  const dir = tempDir();
  writeFileSync(`${dir}/sup.conf`, `${controlledDaemonHeader(dir)}[program:sleeper]\ncommand=/bin/sleep 1000\nstartsecs=0\n`
    + '[program:idle]\ncommand=/bin/sleep 1000\nautostart=false\n');
  const daemon = startDaemon(['-c', `${dir}/sup.conf`, '-n'], dir, `${dir}/sup.log`);
  await daemon.waitForLog(/success: sleeper entered RUNNING/u);
  return { dir, daemon };
}
