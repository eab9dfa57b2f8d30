// When to look at the control sockets' files (UnixSocket.restore() does the looking and rebinding).
// A deleted socket (`rm`, a tmp cleaner) is noticed at once through an inotify watch on its
// folder (host/folder-watch.ts), which costs nothing while nothing comes or goes there. A stat
// once a second would notice it too, but each wake of an idle daemon costs 1-5 ms of CPU on a
// small VM (cold caches after a second asleep): that alone was 0.02 cpu-s per 20 s, twice the
// idle budget with 1000 programs. What a watch cannot see is caught by a check that runs anyway:
// once a minute while every watch is up and every socket in place, once a second while one is
// not (the folder itself deleted, no inotify, another program holding the path).

import { statSync } from 'node:fs';
import { posix as path } from 'node:path';
import { watchFolder, type FolderWatch } from '../host/folder-watch.js';

/** The check while every watch is up and every socket is in place. */
export const CALM_CHECK_MS = 60_000;
/** The check while a watch is down or a socket could not be put back. */
export const WATCHFUL_CHECK_MS = 1000;

/** What the keeper reads of a socket (a UnixSocket). */
export interface KeptSocket {
  readonly config: { readonly file: string };
  /** Whether the last restore left the socket in place. */
  readonly inPlace: boolean;
}

export interface SocketKeeperOptions {
  readonly sockets: readonly KeptSocket[];
  /** Looks at every socket and puts back what is missing; `why` goes into what it logs. */
  readonly restore: (why: string) => Promise<void>;
  /** For tests: the two check periods, and the watch (none: the watchful check alone). */
  readonly calmMs?: number;
  readonly watchfulMs?: number;
  readonly watch?: (folder: string, names: readonly string[], onChange: () => void) => FolderWatch;
}

interface Watched {
  readonly stop: () => void;
  /** The folder's inode when watched: a folder deleted and made again is another one. */
  readonly ino: number;
}

function inodeOf(folder: string): number | null {
  try {
    return statSync(folder).ino;
  } catch {
    return null;
  }
}

/** Starts watching; returns the stop function. */
export function keepSockets(options: SocketKeeperOptions): () => void {
  const calmMs = options.calmMs ?? CALM_CHECK_MS;
  const watch = options.watch ?? watchFolder;
  const watchfulMs = options.watchfulMs ?? WATCHFUL_CHECK_MS;
  const names = new Map<string, string[]>();
  for (const { config: { file } } of options.sockets) {
    const folder = path.dirname(file);
    names.set(folder, [...(names.get(folder) ?? []), path.basename(file)]);
  }
  const watches = new Map<string, Watched>();
  let timer: NodeJS.Timeout | undefined;
  let period = 0;
  let stopped = false;

  const unwatch = (folder: string): void => {
    watches.get(folder)?.stop();
    watches.delete(folder);
  };

  const watchFolders = (): void => {
    for (const [folder, files] of names) {
      const current = watches.get(folder);
      const ino = inodeOf(folder);
      if (current !== undefined && current.ino === ino) continue;
      unwatch(folder);
      if (ino === null) continue;
      // Our own rebinds show here too (the name linked into place); restore() then finds the
      // socket in place and does nothing. Without a watch (no addon, no inotify, no watches
      // left) the watchful check covers this folder.
      const watched = watch(folder, files, () => void check('noticed by the folder watch'));
      if ('stop' in watched) watches.set(folder, { stop: watched.stop, ino });
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    const calm = watches.size === names.size && options.sockets.every((s) => s.inPlace);
    const wanted = calm ? calmMs : watchfulMs;
    if (wanted === period) return;
    clearInterval(timer);
    period = wanted;
    timer = setInterval(() => void check('found by the periodic check'), wanted);
    timer.unref();
  };

  const check = async (why: string): Promise<void> => {
    await options.restore(why);
    if (stopped) return;
    watchFolders();
    schedule();
  };

  watchFolders();
  schedule();
  return () => {
    stopped = true;
    clearInterval(timer);
    for (const folder of [...watches.keys()]) unwatch(folder);
  };
}
