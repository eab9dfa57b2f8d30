// The descriptors this process inherited from whoever started it. Node opens every descriptor of
// its own with O_CLOEXEC (libuv's loop, signal pipes and eventfds, fs.open, the IPC channel), so
// any descriptor >= 3 *without* that flag came from the launcher: a shell's `exec 100<file`, a
// CI runner's pipe, an init's socket. Left open, every child we spawn inherits it (libuv's spawn
// does not close descriptors beyond the stdio it is given). supervisord closes 3..minfds in each
// child after fork; Node cannot run code between fork and exec, so we close them here once, at
// start, before anything is spawned.

import { closeSync, readdirSync, readFileSync } from 'node:fs';

/** O_CLOEXEC as /proc/<pid>/fdinfo/<fd> prints it in the octal `flags:` line (Linux, all arches). */
const O_CLOEXEC = 0o2000000;

/** The `flags:` of an fdinfo text, or null when the text has none (not Linux, or a raced close). */
export function fdinfoFlags(text: string): number | null {
  const match = /^flags:\s*([0-7]+)\s*$/mu.exec(text);
  return match?.[1] === undefined ? null : Number.parseInt(match[1], 8);
}

/** Whether a descriptor with these flags survives exec (i.e. a child would inherit it). */
export function inheritable(flags: number): boolean {
  return (flags & O_CLOEXEC) === 0;
}

/** Open descriptors >= 3 of this process that lack O_CLOEXEC, ascending; [] where /proc is absent. */
export function inheritableFds(): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd < 3) continue;
    let flags: number | null;
    try {
      // The directory handle readdirSync used is closed by now: its fdinfo is gone (ENOENT).
      flags = fdinfoFlags(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    } catch {
      continue;
    }
    if (flags !== null && inheritable(flags)) found.push(fd);
  }
  return found.sort((a, b) => a - b);
}

/**
 * Closes every inherited descriptor except those in `keep` (the IPC channel to the foreground
 * process in daemon mode, which must keep working). Returns the descriptors it closed.
 */
export function closeInheritedFds(keep: readonly number[]): number[] {
  const closed: number[] = [];
  for (const fd of inheritableFds()) {
    if (keep.includes(fd)) continue;
    try {
      closeSync(fd);
      closed.push(fd);
    } catch {
      // Already closed between the scan and now: nothing left to inherit.
    }
  }
  return closed;
}
