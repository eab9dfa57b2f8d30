// Tab completion in the interactive shell when keys arrive in a burst (tmux `send-keys 'sta' Tab
// Tab`, a paste, a fast typist over ssh): every Tab completes, as with supervisorctl's GNU
// readline. The real tssupervisorctl runs on a pty (util-linux `script`); each burst is one write.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CTL_BIN } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { startDaemon } from './support/daemon-process.js';
import { tempDir } from './support/tmp.js';
import { isGone, killQuietly, waitGone, waitUntil } from './support/wait.js';

describe('the shell\'s tab completion', () => {
  it('completes every Tab of a burst, with the line as it stands after the Tabs before it', async () => {
    const dir = tempDir();
    writeFileSync(`${dir}/sup.conf`, `${controlledDaemonHeader(dir)}[program:sleeper]\ncommand=/bin/sleep 1000\nstartsecs=0\n`);
    const d = startDaemon(['-c', `${dir}/sup.conf`, '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/success: sleeper entered RUNNING/u);

    // NO_COLOR: on a pty status colours its state names (test/ctl-status-colour.test.ts); plain
    // text keeps the patterns here about completion.
    const shell = spawn('/usr/bin/script', ['-qfec', `${process.execPath} ${CTL_BIN} -c ${dir}/sup.conf`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' },
    });
    onTestFinished(() => {
      if (shell.pid !== undefined && !isGone(shell.pid)) killQuietly(shell.pid);
    });
    let out = '';
    shell.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    const prompts = (): number => out.split('supervisor> ').length - 1;
    const after = (n: number, pattern: RegExp): Promise<string> => waitUntil(() => {
      const text = out.split('supervisor> ').slice(n).join('supervisor> ');
      return pattern.test(text) ? text : undefined;
    }, 10_000, `${String(pattern)} in the shell's output`);

    // The first prompt: raw mode is on, keys reach readline and no longer the pty's own echo.
    await waitUntil(() => (prompts() >= 1 ? true : undefined), 10_000, 'the first prompt');
    // Two Tabs on an ambiguous word list what it could be, and only that.
    let seen = prompts();
    shell.stdin.write('sta\t\t');
    const listed = await after(seen, /status/u);
    expect(listed).not.toContain('\t');
    expect(listed).not.toMatch(/\b(help|stop|shutdown|restart)\b/u);
    expect(listed).toMatch(/\bstart\b/u);
    shell.stdin.write('\x15'); // Ctrl-U: an empty line again

    // Each Tab sees what the one before it completed, even one that has to ask the daemon.
    seen = prompts();
    shell.stdin.write('stat\tsl\t\r');
    const ran = await after(seen, /sleeper +RUNNING +pid \d+/u);
    expect(ran).not.toContain('Unknown syntax');
    expect(ran).toMatch(/status sleeper \r*\n/u);

    shell.stdin.write('quit\r');
    await waitGone(shell.pid ?? 0, 10_000);
    writeFileSync(`${dir}/shell.out`, out);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  }, 60_000);
});
