// Path rules of supervisord's datatypes (existing_dirpath, existing_directory, expanduser), over
// HostFacts so they stay testable without touching the disk.

import { posix as path } from 'node:path';
import type { HostFacts } from './host.js';
import { ValueProblem } from './value-problem.js';

/** Python os.path.expanduser: `~` and `~user` at the start. */
export function expandUser(value: string, host: HostFacts): string {
  const match = /^~([^/]*)/u.exec(value);
  if (match === null) return value;
  const who = match[1] ?? '';
  const home = who === '' ? host.env['HOME'] ?? host.home : host.lookupUser(who)?.home;
  return home === undefined ? value : home.replace(/\/$/u, '') + value.slice(match[0].length);
}

/** Python os.path.dirname: `http://` -> `http:` (Node's dirname drops trailing slashes first, giving `.`). */
function pyDirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf('/') + 1);
  let end = head.length;
  while (end > 0 && head.charAt(end - 1) === '/') end--;
  return end === 0 ? head : head.slice(0, end);
}

/** A file path whose folder must exist now (supervisord checks log and pid paths at load). */
export function existingDirPath(value: string, host: HostFacts): string {
  const expanded = expandUser(value, host);
  const dir = pyDirname(expanded);
  if (dir === '' || host.isDirectory(path.resolve(host.cwd, dir))) return expanded;
  throw new ValueProblem(`the folder ${dir} does not exist`);
}

export function existingDirectory(value: string, host: HostFacts): string {
  const expanded = expandUser(value, host);
  // os.path.isdir('') is False: an empty value is no folder (path.resolve would make it the cwd).
  if (expanded !== '' && host.isDirectory(path.resolve(host.cwd, expanded))) return expanded;
  throw new ValueProblem(`${value} is not an existing folder`);
}

/** supervisord's normalize_path: absolute against the starting folder, `..` folded. */
export function absolutePath(value: string, host: HostFacts): string {
  return path.resolve(host.cwd, expandUser(value, host));
}
