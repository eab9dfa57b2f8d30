// `status` colours its state names for a person at a terminal only: the real tssupervisorctl on
// a pty (util-linux `script`) shows the SGR codes, a pipe and NO_COLOR get supervisorctl's bytes.

import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CTL_BIN } from './support/bins.js';
import { startSleeperAndIdle } from './support/daemon-process.js';
import { isGone, killQuietly, waitGone, waitUntil } from './support/wait.js';

const GREEN_RUNNING = '\x1b[32mRUNNING\x1b[0m';

/** The environment without NO_COLOR (whatever the test runner has), plus `extra`. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (key !== 'NO_COLOR' && value !== undefined) copy[key] = value;
  return { ...copy, ...extra };
}

/** The ctl's stdout on a pty: `script` runs it and copies the pty's output to its own stdout. */
async function onPty(command: string, environment: Record<string, string>): Promise<string> {
  const { stdout } = await execa('/usr/bin/script', ['-qfec', command, '/dev/null'], { env: environment, extendEnv: false, reject: false, timeout: 15_000 });
  return stdout;
}

describe('status in colour', () => {
  it('colours state names on a TTY, in the shell too; never when piped or with NO_COLOR', async () => {
    const { dir, daemon: d } = await startSleeperAndIdle();
    const status = `${process.execPath} ${CTL_BIN} -c ${dir}/sup.conf status`;

    const tty = await onPty(status, env());
    expect(tty).toMatch(new RegExp(`sleeper {26}${GREEN_RUNNING.replaceAll('[', '\\[')} {3}pid \\d+`, 'u'));
    expect(tty).toMatch(/idle {29}STOPPED {3}Not started/u);

    for (const value of ['1', '']) {
      const noColour = await onPty(status, env({ NO_COLOR: value }));
      expect(noColour).toMatch(/sleeper {26}RUNNING {3}pid \d+/u);
      expect(noColour).not.toContain('\x1b');
    }

    const piped = await execa(process.execPath, [CTL_BIN, '-c', `${dir}/sup.conf`, 'status'], { env: env(), extendEnv: false, reject: false, timeout: 15_000 });
    expect(piped.stdout).toMatch(/sleeper {26}RUNNING {3}pid \d+/u);
    expect(piped.stdout).not.toContain('\x1b');

    // The interactive shell prints status first, on the same pty.
    const shell = spawn('/usr/bin/script', ['-qfec', `${process.execPath} ${CTL_BIN} -c ${dir}/sup.conf`, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'], env: env() });
    onTestFinished(() => {
      if (shell.pid !== undefined && !isGone(shell.pid)) killQuietly(shell.pid);
    });
    let out = '';
    shell.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    await waitUntil(() => (out.includes('supervisor> ') ? true : undefined), 10_000, 'the first prompt');
    expect(out).toContain(GREEN_RUNNING);
    shell.stdin.write('quit\r');
    await waitGone(shell.pid ?? 0, 10_000);

    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  }, 60_000);
});
