// The real machine's HostFacts, apart from the config parser so that tssupervisorctl, which
// needs only the cwd, home and environment to read [supervisorctl], does not load the parser.

import { readFileSync, statSync } from 'node:fs';
import { hostname, homedir, tmpdir } from 'node:os';
import type { GroupEntry, HostFacts, UserEntry } from './host.js';

function readColonFile(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(':'));
  } catch {
    return [];
  }
}

function byNameOrId<T extends { name: string }>(entries: T[], id: (e: T) => number, key: string): T | undefined {
  return /^\d+$/u.test(key) ? entries.find((e) => id(e) === Number(key)) : entries.find((e) => e.name === key);
}

/** HostFacts of the machine we run on. /etc/passwd and /etc/group are read on first use. */
export function systemHost(overrides: Partial<HostFacts> = {}): HostFacts {
  let users: UserEntry[] | undefined;
  let groups: GroupEntry[] | undefined;
  const loadUsers = (): UserEntry[] => (users ??= readColonFile('/etc/passwd').map(([name = '', , uid, gid, , home = '']) =>
    ({ name, uid: Number(uid), gid: Number(gid), home })));
  const loadGroups = (): GroupEntry[] => (groups ??= readColonFile('/etc/group').map(([name = '', , gid]) => ({ name, gid: Number(gid) })));
  return {
    env: process.env,
    hostname: hostname(),
    cwd: process.cwd(),
    tmpdir: tmpdir(),
    home: homedir(),
    isDirectory: (p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    },
    lookupUser: (key) => byNameOrId(loadUsers(), (u) => u.uid, key),
    lookupGroup: (key) => byNameOrId(loadGroups(), (g) => g.gid, key),
    ...overrides,
  };
}
