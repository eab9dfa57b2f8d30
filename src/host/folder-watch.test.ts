// The native folder watch on a real folder: it fires for the names it was given coming and going
// and for the folder itself going, and not for writes, nor for other names.

import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/tmp.js';
import { waitUntil } from '../../test/support/wait.js';
import { watchFolder } from './folder-watch.js';
import { loadNativeAddon } from './native-addon.js';

function watched(folder: string, names: string[]) {
  let fired = 0;
  const watch = watchFolder(folder, names, () => { fired++; });
  if (!('stop' in watch)) throw new Error(`no watch: ${watch.missing}`);
  return { stop: watch.stop, fired: () => fired };
}

/** Waits until the watch has fired `n` times in all. */
const firedTimes = async (w: { fired: () => number }, n: number): Promise<void> => {
  await waitUntil(() => (w.fired() >= n ? true : undefined), 3000, `the watch to fire ${n} times`);
};

describe('watchFolder (inotify, native)', () => {
  it('fires for a listed name created, deleted, moved in or out, and never for writes or other names', async () => {
    const dir = tempDir();
    writeFileSync(`${dir}/other.log`, '');
    const w = watched(dir, ['s.sock', 't.sock']);
    writeFileSync(`${dir}/s.sock`, '');
    await firedTimes(w, 1);
    // Writes to it and to its neighbours, and other names coming and going: nothing. The next
    // listed event is the fence that proves they were read and passed over.
    for (let i = 0; i < 50; i++) appendFileSync(`${dir}/other.log`, 'line\n');
    appendFileSync(`${dir}/s.sock`, 'x');
    writeFileSync(`${dir}/unlisted`, '');
    rmSync(`${dir}/unlisted`);
    rmSync(`${dir}/s.sock`);
    await firedTimes(w, 2);
    expect(w.fired()).toBe(2);
    writeFileSync(`${dir}/elsewhere`, '');
    renameSync(`${dir}/elsewhere`, `${dir}/t.sock`);
    await firedTimes(w, 3);
    renameSync(`${dir}/t.sock`, `${dir}/gone`);
    await firedTimes(w, 4);
    w.stop();
    w.stop();
    writeFileSync(`${dir}/s.sock`, '');
    rmSync(`${dir}/s.sock`);
    // A second watch on another folder is the fence for the stopped one.
    const fence = tempDir();
    const f = watched(fence, ['x']);
    writeFileSync(`${fence}/x`, '');
    await firedTimes(f, 1);
    f.stop();
    expect(w.fired()).toBe(4);
  });

  it('fires when the folder itself is deleted, and two folders are told apart', async () => {
    const parent = tempDir();
    mkdirSync(`${parent}/a`);
    mkdirSync(`${parent}/b`);
    const a = watched(`${parent}/a`, ['s.sock']);
    const b = watched(`${parent}/b`, ['s.sock']);
    rmSync(`${parent}/a`, { recursive: true });
    await firedTimes(a, 1);
    writeFileSync(`${parent}/b/s.sock`, '');
    await firedTimes(b, 1);
    expect(b.fired()).toBe(1);
    a.stop();
    b.stop();
  });

  it('keeps two watches on one folder apart: each fires for its own names, and stopping one leaves the other', async () => {
    const dir = tempDir();
    const a = watched(dir, ['a.sock']);
    const b = watched(dir, ['b.sock']);
    writeFileSync(`${dir}/a.sock`, '');
    await firedTimes(a, 1);
    writeFileSync(`${dir}/b.sock`, '');
    await firedTimes(b, 1);
    expect([a.fired(), b.fired()]).toEqual([1, 1]);
    a.stop();
    rmSync(`${dir}/a.sock`);
    rmSync(`${dir}/b.sock`);
    await firedTimes(b, 2);
    expect([a.fired(), b.fired()]).toEqual([1, 2]);
    b.stop();
  });

  it('says why when there is no watch: a missing folder, or no addon', () => {
    const watch = watchFolder(`${tempDir()}/nosuch`, ['s.sock'], () => undefined);
    expect('missing' in watch && watch.missing).toMatch(/^inotify_add_watch .*\/nosuch: ENOENT$/u);
    const none = watchFolder(tempDir(), ['s.sock'], () => undefined, { missing: 'no addon here' });
    expect(none).toEqual({ missing: 'no addon here' });
    expect('missing' in loadNativeAddon()).toBe(false);
  });
});
