// `command=` -> the file to exec and its argv, the way supervisord resolves it
// (process.py get_execv_args + options.py check_execv_args): POSIX shell-style splitting without
// a shell, a bare name searched on PATH, and supervisord's exact spawnerr texts.
// Pure: the filesystem is reached only through the injected `stat`.

import { posix as path } from 'node:path';
import { shlexSplit } from '../config/shlex.js';

export interface FileFacts {
  readonly isDirectory: boolean;
  readonly mode: number;
  /** access(X_OK) for the daemon's user. */
  readonly executable: boolean;
}

export type CommandResolution =
  | { readonly ok: true; readonly file: string; readonly argv: readonly string[] }
  | { readonly ok: false; readonly kind: 'NO_FILE' | 'NOT_EXECUTABLE'; readonly message: string };

/** Python's repr() of a str, as supervisord's `%r` prints it in spawnerr messages. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const body = text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\t', '\\t');
  return quote + (quote === "'" ? body.replaceAll("'", "\\'") : body) + quote;
}

const DEFAULT_PATH = '/bin:/usr/bin:/usr/local/bin';

export function resolveCommand(
  command: string, pathVar: string | undefined, stat: (file: string) => FileFacts | undefined,
): CommandResolution {
  let argv: string[];
  try {
    argv = shlexSplit(command);
  } catch (error) {
    return { ok: false, kind: 'NOT_EXECUTABLE', message: `can't parse command ${pyRepr(command)}: ${(error as Error).message}` };
  }
  const [program] = argv;
  if (program === undefined) return { ok: false, kind: 'NOT_EXECUTABLE', message: 'command is empty' };
  let file = program;
  let facts: FileFacts | undefined;
  if (program.includes('/')) {
    facts = stat(program);
  } else {
    for (const dir of (pathVar ?? DEFAULT_PATH).split(':')) {
      const candidate = path.join(dir, program);
      facts = stat(candidate);
      if (facts !== undefined) {
        file = candidate;
        break;
      }
    }
  }
  if (facts === undefined) return { ok: false, kind: 'NO_FILE', message: `can't find command ${pyRepr(file)}` };
  if (facts.isDirectory) return { ok: false, kind: 'NOT_EXECUTABLE', message: `command at ${pyRepr(file)} is a directory` };
  if ((facts.mode & 0o111) === 0) return { ok: false, kind: 'NOT_EXECUTABLE', message: `command at ${pyRepr(file)} is not executable` };
  if (!facts.executable) return { ok: false, kind: 'NOT_EXECUTABLE', message: `no permission to run command ${pyRepr(file)}` };
  return { ok: true, file, argv };
}
