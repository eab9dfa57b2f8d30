// A child's stdout/stderr -> its log files (rotating as supervisord rotates), or drained and
// dropped for NONE so the child never blocks on a full pipe. Chunks are written synchronously as
// they arrive, so the daemon holds at most one pipe read per channel in memory.

import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { posix as path } from 'node:path';
import type { Readable } from 'node:stream';
import type { ChannelConfig, ProcessConfig } from '../config/schema.js';
import type { ChildOutput } from '../process/runner.js';
import { RotatingFile } from './rotating-file.js';

export interface ChildOutputOptions {
  readonly childlogdir: string;
  readonly identifier: string;
  readonly onError: (message: string) => void;
}

export interface ChildLogs extends ChildOutput {
  /** The log file paths, '' when none (as supervisord's getProcessInfo reports them). */
  readonly stdoutPath: string;
  readonly stderrPath: string;
  reopen(): void;
  close(): void;
}

/** supervisord's AUTO name: `<name>-<channel>---<identifier>-<8 random chars>.log`, mode 0600. */
function autoLogPath(dir: string, name: string, channel: string, identifier: string): string {
  const suffix = randomBytes(6).toString('base64url').slice(0, 8).toLowerCase();
  const file = path.join(dir, `${name}-${channel}---${identifier}-${suffix}.log`);
  closeSync(openSync(file, 'a', 0o600));
  return file;
}

function openChannel(
  p: ProcessConfig, channel: 'stdout' | 'stderr', c: ChannelConfig, options: ChildOutputOptions,
): RotatingFile | null {
  let file: string;
  if (c.logfile.kind === 'none') return null;
  if (c.logfile.kind === 'auto') {
    try {
      file = autoLogPath(options.childlogdir, p.name, channel, options.identifier);
    } catch (error) {
      options.onError(`could not create AUTO ${channel} log for ${p.name} in ${options.childlogdir}: ${(error as Error).message}`);
      return null;
    }
  } else {
    file = c.logfile.path;
  }
  return new RotatingFile(file, {
    maxBytes: c.maxBytes,
    backups: c.backups,
    onError: (err) => {
      options.onError(`${p.name} ${channel} log ${file}: ${err.message}`);
    },
  });
}

function pump(stream: Readable | null, sink: RotatingFile | null): void {
  if (stream === null) return;
  if (sink === null) {
    stream.resume();
    return;
  }
  stream.on('data', (chunk: Buffer) => {
    sink.write(chunk);
  });
}

export function createChildLogs(p: ProcessConfig, options: ChildOutputOptions): ChildLogs {
  const stdout = openChannel(p, 'stdout', p.stdout, options);
  const stderr = p.redirectStderr ? null : openChannel(p, 'stderr', p.stderr, options);
  return {
    stdoutPath: stdout?.path ?? '',
    stderrPath: stderr?.path ?? '',
    attach(child) {
      pump(child.stdout, stdout);
      pump(child.stderr, stderr);
      // Nobody writes to stdin unless asked (sendProcessStdin); a closed stdin must not crash us.
      child.stdin.on('error', () => undefined);
    },
    reopen() {
      stdout?.reopen();
      stderr?.reopen();
    },
    close() {
      stdout?.close();
      stderr?.close();
    },
  };
}
