// Which Debian package provides a command the example stack runs, so that a missing
// `redis-server`, `redis-sentinel` or `nginx` ends in one actionable log line instead of only
// supervisord's bare `spawnerr: can't find command 'nginx'`.  Pure, except `hintOnce`'s memory.

import { posix as path } from 'node:path';

/** Command name (basename) -> Debian package that installs it. */
export const DEBIAN_PACKAGES: Readonly<Record<string, string>> = {
  'redis-server': 'redis-server',
  'redis-sentinel': 'redis-sentinel',
  'redis-cli': 'redis-tools',
  nginx: 'nginx',
};

/** The hint for a command that could not be found, or undefined when we know no package for it. */
export function packageHint(command: string): string | undefined {
  const name = path.basename(command);
  const pkg = Object.hasOwn(DEBIAN_PACKAGES, name) ? DEBIAN_PACKAGES[name] : undefined;
  return pkg === undefined ? undefined : `hint: '${name}' is provided by the Debian package ${pkg} (apt-get install ${pkg})`;
}

const shown = new Set<string>();

/** packageHint, but only the first time per command name (per daemon, or per `seen`). */
export function hintOnce(command: string, seen: Set<string> = shown): string | undefined {
  const hint = packageHint(command);
  const name = path.basename(command);
  if (hint === undefined || seen.has(name)) return undefined;
  seen.add(name);
  return hint;
}
