// Which files some live process has open, found as fuser(1) does: by reading every
// /proc/<pid>/fd/* link. Used before deleting files another process may still be writing.
// Processes whose fd folder we may not read (another user's, without root) are not seen.

import { readdirSync, readlinkSync } from 'node:fs';
import { listPids } from './proc-stat.js';

/** The subset of `paths` (absolute, symlinks resolved) that any process has open now. */
export function filesOpenAnywhere(paths: ReadonlySet<string>): Set<string> {
  const open = new Set<string>();
  if (paths.size === 0) return open;
  for (const pid of listPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (paths.has(target)) open.add(target);
    }
    if (open.size === paths.size) break;
  }
  return open;
}
