// When the keeper looks: at once when a watch fires; once a minute while all is well; once a
// second while a watch is down or a socket is not in place. Real folders, fake watch and timers.

import { mkdirSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test/support/tmp.js';
import { keepSockets, type KeptSocket } from './socket-keeper.js';

interface FakeWatch {
  folder: string;
  names: readonly string[];
  fire: () => void;
  stopped: boolean;
}

function setup(options: { watches?: boolean; folders?: string[] } = {}) {
  const folders = options.folders ?? [tempDir()];
  const sockets: (KeptSocket & { inPlace: boolean })[] = folders.map((f) => ({ config: { file: `${f}/s.sock` }, inPlace: true }));
  const whys: string[] = [];
  const watches: FakeWatch[] = [];
  const stop = keepSockets({
    sockets,
    restore: (why) => {
      whys.push(why);
      return Promise.resolve();
    },
    calmMs: 60_000,
    watchfulMs: 1000,
    watch: (folder, names, onChange) => {
      if (options.watches === false) return { missing: 'no inotify here' };
      const w: FakeWatch = { folder, names, fire: onChange, stopped: false };
      watches.push(w);
      return { stop: () => { w.stopped = true; } };
    },
  });
  const live = (): FakeWatch[] => watches.filter((w) => !w.stopped);
  return { sockets, whys, watches, live, stop, folders };
}

/** Lets the restore promise and what follows it run. */
const settle = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0);
};

describe('keepSockets', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('watches each folder once for its sockets\' names, looks once a minute while all is well, and at once when a watch fires', async () => {
    const k = setup();
    expect(k.live().map((w) => w.names)).toEqual([['s.sock']]);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(k.whys).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(k.whys).toEqual(['found by the periodic check']);
    k.live()[0]?.fire();
    await settle();
    expect(k.whys).toEqual(['found by the periodic check', 'noticed by the folder watch']);
    k.stop();
    expect(k.live()).toEqual([]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(k.whys).toHaveLength(2);
  });

  it('looks once a second while a socket is not in place, and calms down once it is', async () => {
    const k = setup();
    const socket = k.sockets[0];
    if (socket === undefined) throw new Error('no socket');
    socket.inPlace = false;
    k.live()[0]?.fire();
    await settle();
    await vi.advanceTimersByTimeAsync(3000);
    expect(k.whys).toEqual(['noticed by the folder watch', ...Array<string>(3).fill('found by the periodic check')]);
    socket.inPlace = true;
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(k.whys).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1000);
    expect(k.whys).toHaveLength(6);
    k.stop();
  });

  it('looks once a second where there is no watch', async () => {
    const k = setup({ watches: false });
    await vi.advanceTimersByTimeAsync(2000);
    expect(k.whys).toEqual(['found by the periodic check', 'found by the periodic check']);
    k.stop();
  });

  it('drops the watch of a deleted folder and watches the one made again in its place', async () => {
    const parent = tempDir();
    const folder = `${parent}/run`;
    mkdirSync(folder);
    const k = setup({ folders: [folder] });
    const first = k.live()[0];
    rmSync(folder, { recursive: true });
    first?.fire();
    await settle();
    expect(first?.stopped).toBe(true);
    expect(k.live()).toEqual([]);
    // No watch now: once a second, until the folder is back and watched again.
    await vi.advanceTimersByTimeAsync(1000);
    expect(k.live()).toEqual([]);
    mkdirSync(folder);
    await vi.advanceTimersByTimeAsync(1000);
    expect(k.live().map((w) => w.folder)).toEqual([folder]);
    expect(k.whys).toEqual(['noticed by the folder watch', 'found by the periodic check', 'found by the periodic check']);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(k.whys).toHaveLength(3);
    k.stop();
  });

  it('keeps one watch per folder for two sockets in it', () => {
    const dir = tempDir();
    const asked: unknown[] = [];
    const stop = keepSockets({
      sockets: [{ config: { file: `${dir}/a.sock` }, inPlace: true }, { config: { file: `${dir}/b.sock` }, inPlace: true }],
      restore: () => Promise.resolve(),
      watch: (folder, names) => {
        asked.push([folder, names]);
        return { stop: () => undefined };
      },
    });
    expect(asked).toEqual([[dir, ['a.sock', 'b.sock']]]);
    stop();
  });
});
