// Daemon mode without fork(): the foreground process re-runs itself detached (a new session, so
// the terminal's signals never reach it, as supervisord's setsid) and exits once the daemon says
// it is ready, passing on any startup error the daemon reports.

import { spawn } from 'node:child_process';

/** Set in the environment of the re-run process: "you are the daemon". */
export const DAEMON_ENV = 'TSSUPERVISORD_DAEMON';

export type DaemonMessage = { readonly ready: true } | { readonly error: string };

/** In the foreground process: start the daemon and resolve with the exit code to use. */
export async function runDetached(argv: readonly string[]): Promise<number> {
  const script = process.argv[1] ?? '';
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  return new Promise((resolve) => {
    child.on('message', (message: DaemonMessage) => {
      if ('error' in message) {
        process.stderr.write(`${message.error}\n`);
        return;
      }
      child.disconnect();
      child.unref();
      resolve(0);
    });
    child.on('exit', (code) => {
      resolve(code ?? 1);
    });
  });
}

/** In the daemon: tell the waiting foreground process how startup went. */
export function reportToParent(message: DaemonMessage, then?: () => void): void {
  if (process.send === undefined) {
    then?.();
    return;
  }
  process.send(message, () => {
    if ('ready' in message) process.disconnect();
    then?.();
  });
}
