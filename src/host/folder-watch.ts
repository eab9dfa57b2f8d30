// A watch on a folder for a few names in it being created, deleted or moved, and for the folder
// itself going away: the native addon's inotify watch. fs.watch would also see every write to
// every file there (its mask has IN_MODIFY), and a control socket's folder is often where the
// daemon's own main log is written, or /tmp; each of those events would wake the daemon.

import { errnoName, loadNativeAddon } from './native-addon.js';

/** The watch's stop function, or why there is none (no addon, or inotify said no). */
export type FolderWatch = { readonly stop: () => void } | { readonly missing: string };

export function watchFolder(folder: string, names: readonly string[], onChange: () => void, addon = loadNativeAddon()): FolderWatch {
  if ('missing' in addon) return { missing: addon.missing };
  const { watchFolder: watch, unwatchFolder: unwatch } = addon;
  if (watch === undefined || unwatch === undefined) return { missing: 'the native addon is older than watchFolder() (run npm install)' };
  const id = watch(folder, names.join('/'), onChange);
  if (id < 0) return { missing: `inotify_add_watch ${folder}: ${errnoName(-id) ?? `errno ${-id}`}` };
  let live = true;
  return {
    stop() {
      if (live) unwatch(id);
      live = false;
    },
  };
}
