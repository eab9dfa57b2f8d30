// `ready=exec:COMMAND`: the command exits 0. It is split and resolved as command= is (shlex, then
// a bare name searched on the program's PATH), afresh at each try, since the file may only appear
// later; it runs with the program's environment and directory, as the daemon's user, with no
// stdio. It gets its own process group, so a try that outlives its timeout, or a stop, kills it
// and whatever it started (a shell's children) with SIGKILL.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolveCommand, type FileFacts } from '../command.js';
import { statForExec } from '../spawner.js';
import { failed, PASSED, type CheckOutcome, type ProbeRun } from '../probe.js';
import type { Attempt } from './poll.js';

/** Each try forks a process (and a spawn holds the event loop for a few milliseconds), so exec
 *  tries come every 250 ms, the slow end of the range; a command gets 5 s to answer. */
export const EXEC_TIMING = { intervalMs: 250, tryTimeoutMs: 5000 } as const;

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Gone already (ESRCH): nothing to release.
  }
}

export function execAttempt(command: string, run: ProbeRun, stat: (file: string) => FileFacts | undefined = statForExec): Attempt {
  const said = `exec '${command}'`;
  return async (signal) => new Promise<CheckOutcome>((resolve) => {
    const resolved = resolveCommand(command, run.env.PATH, stat);
    if (!resolved.ok) {
      resolve(failed(resolved.kind === 'NO_FILE' ? `${said}: no such command` : `${said}: ${resolved.message}`));
      return;
    }
    let child: ChildProcess;
    try {
      child = spawn(resolved.file, resolved.argv.slice(1), {
        argv0: resolved.argv[0] ?? resolved.file,
        env: run.env,
        ...(run.cwd === null ? {} : { cwd: run.cwd }),
        stdio: 'ignore',
        detached: true,
      });
    } catch (error) {
      resolve(failed(`${said}: ${(error as Error).message}`));
      return;
    }
    const onAbort = (): void => { killGroup(child); };
    signal.addEventListener('abort', onAbort, { once: true });
    // 'error' (the exec failed: ENOENT, EACCES, a missing cwd) or 'exit', whichever comes first.
    const settle = (outcome: CheckOutcome): void => {
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    child.once('error', (error) => { settle(failed(`${said}: ${error.message}`)); });
    child.once('exit', (code, sig) => {
      if (code === 0) settle(PASSED);
      else settle(failed(sig === null ? `${said} exited with status ${code ?? 0}` : `${said} was killed by ${sig}`));
    });
  });
}
