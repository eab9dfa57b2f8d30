import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdtempSync, open, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ChildExit, ChildHandle, OutputPipe, SpawnOutcome, SpawnSpec } from '../process/spawner.js';
import { SpawnQueue } from '../process/spawn-queue.js';
import { waitUntil } from '../../test/support/wait.js';
import { loadNativeAddon, type NativeSpawnResult } from './native-addon.js';
import { childExitOf, createNativeSpawner, spawnAddonOf, type SpawnAddon } from './native-spawner.js';
import { isNodeChild } from './node-children.js';

const addon = spawnAddonOf(loadNativeAddon());
const spawner = addon === null ? null : createNativeSpawner(addon);

function spec(argv: readonly string[], extra: Partial<SpawnSpec> = {}): SpawnSpec {
  return {
    file: argv[0] ?? '', argv, env: { PATH: '/usr/bin:/bin' }, cwd: null, uid: null, gid: null, umask: null,
    redirectStderr: false, ...extra,
  };
}

async function start(s: SpawnSpec): Promise<SpawnOutcome> {
  if (spawner === null) throw new Error('no native spawner');
  return new Promise((settle) => {
    spawner.spawn({ spec: s, wanted: () => true, settle, asked: true });
  });
}

async function spawned(s: SpawnSpec): Promise<ChildHandle> {
  const outcome = await start(s);
  if (outcome.kind !== 'spawned') throw new Error(`spawn failed: ${JSON.stringify(outcome)}`);
  return outcome.child;
}

/** Everything a pipe gives until it closes. */
async function drain(stream: Readable | OutputPipe | null): Promise<string> {
  if (stream === null || stream instanceof Readable) throw new Error('expected a native output pipe');
  const chunks: Buffer[] = [];
  const reader = stream.read({
    buffer: Buffer.alloc(1024),
    callback: (bytes, buf) => {
      chunks.push(Buffer.from(buf.subarray(0, bytes)));
      return undefined;
    },
  });
  await new Promise((resolve) => reader.once('close', resolve));
  return Buffer.concat(chunks).toString('utf8');
}

async function run(s: SpawnSpec): Promise<{ out: string; err: string; exit: ChildExit }> {
  const child = await spawned(s);
  const [out, err] = await Promise.all([drain(child.stdout), child.stderr === null ? '' : drain(child.stderr)]);
  return { out, err, exit: await child.exited };
}

const sh = (script: string, extra: Partial<SpawnSpec> = {}): SpawnSpec => spec(['/bin/sh', '-c', script], extra);

describe.skipIf(spawner === null)('native spawner', () => {
  it('gives the exit code, stdout and stderr bytes on their own pipes', async () => {
    const r = await run(sh('printf out; printf err >&2; exit 3'));
    expect(r).toEqual({ out: 'out', err: 'err', exit: { code: 3, signal: null } });
  });

  it('reports a signal death by Node\'s signal name', async () => {
    const child = await spawned(spec(['/bin/sleep', '30']));
    process.kill(child.pid, 'SIGTERM');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('joins stderr to stdout at the fd level with redirectStderr, on real pipes (/dev/stdout opens)', async () => {
    const child = await spawned(sh('echo a; echo b >&2; echo c > /dev/stdout; readlink /proc/self/fd/2', { redirectStderr: true }));
    expect(child.stderr).toBeNull();
    const out = await drain(child.stdout);
    expect(out).toMatch(/^a\nb\nc\npipe:\[\d+\]\n$/u);
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it('writes stdin lazily, and a child gets SIGPIPE at its default, not ignored as in Node', async () => {
    const child = await spawned(sh('head -n1; grep SigIgn /proc/self/status'));
    expect(child.stdin.writable).toBe(true);
    child.stdin.write('hello\n');
    const out = await drain(child.stdout);
    const [line, sigign] = out.split('\n');
    expect(line).toBe('hello');
    // Bit 13 (SIGPIPE) is clear in the child's ignored set.
    expect((BigInt(`0x${sigign?.split(/\s+/u)[1] ?? '0'}`) >> 12n) & 1n).toBe(0n);
    await child.exited;
    expect(child.stdin.destroyed).toBe(true);
  });

  it('applies cwd, umask and env, and gives the child its own session and process group', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'native-spawn-')));
    const r = await run(sh('pwd; umask; echo "$GREETING"; ps -o pid=,pgid=,sid= -p $$; touch f', {
      cwd: dir, umask: 0o27, env: { PATH: '/usr/bin:/bin', GREETING: 'hi there' },
    }));
    const [pwd, umask, greeting, ids] = r.out.split('\n');
    expect([pwd, umask, greeting]).toEqual([dir, '0027', 'hi there']);
    const [pid, pgid, sid] = (ids ?? '').trim().split(/\s+/u);
    expect(pgid).toBe(pid);
    expect(sid).toBe(pid);
    expect(statSync(join(dir, 'f')).mode & 0o777).toBe(0o640);
  });

  it('reports a failed exec or chdir by its errno name, and the failed child is collected', async () => {
    expect(await start(spec(['/nonexistent/program']))).toEqual({ kind: 'failed', code: 'ENOENT' });
    const plain = join(mkdtempSync(join(tmpdir(), 'native-spawn-')), 'plain');
    writeFileSync(plain, 'not a program\n', { mode: 0o644 });
    expect(await start(spec([plain]))).toEqual({ kind: 'failed', code: 'EACCES' });
    expect(await start(spec(['/bin/true'], { cwd: '/nonexistent' }))).toEqual({ kind: 'failed', code: 'ENOENT' });
  });

  it('gives fd 0 to stdinFd when asked, and stdin is then closed', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'native-spawn-')), 'in');
    writeFileSync(file, 'from the file\n');
    const fd = openSync(file, 'r');
    try {
      const child = await spawned(spec(['/bin/cat'], { stdinFd: fd }));
      expect(child.stdin.destroyed).toBe(true);
      expect(await drain(child.stdout)).toBe('from the file\n');
      await child.exited;
    } finally {
      closeSync(fd);
    }
  });

  it('grows an output pipe only while it is read: the child then writes 200 000 bytes with nobody reading', async () => {
    const child = await spawned(sh('read go; head -c 200000 /dev/zero; echo wrote >&2'));
    const out = child.stdout as OutputPipe;
    expect(out.grow?.(256 * 1024)).toBeUndefined();
    const chunks: number[] = [];
    const reader = out.read({
      buffer: Buffer.alloc(256 * 1024),
      callback: (bytes) => {
        chunks.push(bytes);
        return undefined;
      },
    });
    reader.pause();
    expect(out.grow?.(256 * 1024)).toBe(256 * 1024);
    child.stdin.write('go\n');
    // A 64 KiB pipe would hold head (and its stderr line) until stdout is read: it is not.
    let said: string | undefined;
    void drain(child.stderr).then((text) => {
      said = text;
    });
    expect(await waitUntil(() => said, 10_000, 'head to finish with nobody reading (the pipe did not grow)')).toBe('wrote\n');
    reader.resume();
    await new Promise((resolve) => reader.once('close', resolve));
    expect(chunks).toEqual([200_000]);
    expect((await child.exited).code).toBe(0);
    expect(out.grow?.(256 * 1024)).toBeUndefined();
  });

  it("gives a child only fds 0, 1 and 2 however many the daemon holds, and leaves the daemon's own 0, 1, 2 alone", async () => {
    const native = loadNativeAddon();
    if ('missing' in native || native.spawn === undefined) throw new Error('no addon spawn()');
    // The child shares the daemon's table until its first act (see spawn_slots in host.c): a
    // slip there would show as a daemon whose stdout or stderr is now a child's pipe.
    const identity = (fd: number): string => {
      const st = fstatSync(fd);
      return `${st.dev}:${st.ino}:${st.rdev}`;
    };
    const own = [0, 1, 2].map(identity);
    const held = Array.from({ length: 1000 }, () => openSync('/dev/null', 'r'));
    try {
      // ls opens the folder it lists: fd 3 is its own.
      expect((await run(spec(['/bin/ls', '/proc/self/fd']))).out).toBe('0\n1\n2\n3\n');
      const sync = native.spawn({ file: '/bin/ls', argv: ['/bin/ls', '/proc/self/fd'], env: [] });
      if ('errno' in sync) throw new Error(`spawn failed: errno ${sync.errno}`);
      closeSync(sync.stdin);
      closeSync(sync.stderr);
      // The daemon's end is non-blocking: read to EOF, waiting out EAGAIN.
      let listed = '';
      await waitUntil(() => {
        const buf = Buffer.alloc(4096);
        try {
          const n = readSync(sync.stdout, buf);
          if (n === 0) return true;
          listed += buf.toString('utf8', 0, n);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        }
        return undefined;
      }, 10_000, 'the listing of a spawn() child to end');
      closeSync(sync.stdout);
      expect(listed).toBe('0\n1\n2\n3\n');
      // Collected (and its pidfd closed) by the exit watch, so no later count sees it.
      await waitUntil(() => !existsSync(`/proc/${sync.pid}`) || undefined, 10_000, 'the spawn() child to be collected');
      expect([0, 1, 2].map(identity)).toEqual(own);
    } finally {
      for (const fd of held) closeSync(fd);
    }
  });

  it('spawns and collects 200 children, claimed from the orphan reaper while they run, leaking no descriptor', async () => {
    const before = readdirSync('/proc/self/fd').length;
    // Each waits for its stdin to close, so all are running when the claims are checked.
    const children = await Promise.all(Array.from({ length: 200 }, async (_, i) => spawned(sh(`read x; echo ${i}`))));
    expect(children.every((c) => isNodeChild(c.pid))).toBe(true);
    for (const c of children) c.stdin.destroy();
    const outs = await Promise.all(children.map(async (c) => drain(c.stdout)));
    expect(outs).toEqual(children.map((_, i) => `${i}\n`));
    const exits = await Promise.all(children.map(async (c) => c.exited));
    expect(exits.every((e) => e.code === 0)).toBe(true);
    expect(children.some((c) => isNodeChild(c.pid))).toBe(false);
    // stderr pipes nobody read are closed at exit; stdin (never written) too.
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('wait statuses as ChildProcess words them', () => {
    expect(childExitOf(3 << 8)).toEqual({ code: 3, signal: null });
    expect(childExitOf(9)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(childExitOf(-1)).toEqual({ code: null, signal: null });
  });
});

describe.skipIf(spawner === null)('spawning on a pool thread', () => {
  it('keeps the child from the orphan reaper (reap() is "busy") until done() has handed it over', async () => {
    const native = loadNativeAddon();
    if ('missing' in native || native.spawnAsync === undefined) throw new Error('the addon has no spawnAsync');
    const { spawnAsync } = native;
    const seen = await new Promise<{ pid: number; during: unknown }>((resolve) => {
      spawnAsync({ file: '/bin/sleep', argv: ['/bin/sleep', '30'], env: [] }, (result) => {
        if ('errno' in result) throw new Error(`spawn failed: errno ${result.errno}`);
        resolve({ pid: result.pid, during: native.reap(result.pid) });
      });
    });
    try {
      expect(seen.during).toBe('busy');
      // Handed over once done() has returned: reap() may look at it now, and it is running.
      await new Promise((resolve) => setImmediate(resolve));
      expect(native.reap(seen.pid)).toBeNull();
    } finally {
      process.kill(seen.pid, 'SIGKILL');
    }
  });
});

describe.skipIf(spawner === null)('the spawn threads', () => {
  it('hand out pids in the order the spawns were asked for, several clones at once', async () => {
    const children = await Promise.all(Array.from({ length: 60 }, async () => spawned(spec(['/bin/sleep', '30']))));
    try {
      const pids = children.map((c) => c.pid);
      // In order, but for at most one wrap of the kernel's pid counter.
      const descents = pids.slice(1).filter((pid, i) => pid < (pids[i] ?? 0)).length;
      expect(descents).toBeLessThanOrEqual(pids.some((pid) => pid < 300) ? 1 : 0);
    } finally {
      for (const c of children) process.kill(c.pid, 'SIGKILL');
      await Promise.all(children.map(async (c) => c.exited));
    }
  });

  it("are the addon's own: a spawn is not held up while every libuv pool thread is blocked (a hung log device)", async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'native-spawn-')), 'hung');
    execFileSync('mkfifo', [fifo]);
    // Each open for reading blocks a pool thread until a writer opens the FIFO.
    const blocked = Array.from({ length: 4 }, async () => new Promise<number>((resolve, reject) => {
      open(fifo, 'r', (error, fd) => (error === null ? resolve(fd) : reject(error)));
    }));
    try {
      const r = await run(sh('echo spawned'));
      expect(r.out).toBe('spawned\n');
    } finally {
      closeSync(openSync(fifo, 'w'));
      for (const fd of await Promise.all(blocked)) closeSync(fd);
    }
  });
});

describe.skipIf(spawner === null)('kill with a failure callback: kill(2) on a spawn thread', () => {
  it('signals the child, or its process group, and reports a failure later, by its errno name', async () => {
    const native = spawner;
    if (native === null) throw new Error('no native spawner');
    const killSoon = (pid: number, signal: string, group: boolean, fail: (error: NodeJS.ErrnoException) => void): void => {
      native.kill(pid, signal, group, fail);
    };
    const failures: string[] = [];
    const failed = (error: NodeJS.ErrnoException): void => {
      failures.push(`${error.code ?? '?'} ${error.message}`);
    };
    const child = await spawned(spec(['/bin/sleep', '30']));
    killSoon(child.pid, 'TERM', false, failed);
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
    // A group: the child is its leader (setsid), and its own child dies with it.
    const leader = await spawned(sh('sleep 30 & wait'));
    killSoon(leader.pid, 'KILL', true, failed);
    expect(await leader.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // No such process (beyond any pid_max): the failure comes in a later turn.
    killSoon(99_999_999, 'TERM', false, failed);
    expect(failures).toEqual([]);
    await waitUntil(() => (failures.length > 0 ? true : undefined), 2_000, 'the failed kill reported');
    expect(failures).toEqual(['ESRCH kill ESRCH']);
    // A signal name this system lacks is refused at once, as process.kill refuses it.
    expect(() => { killSoon(child.pid, 'NOSUCH', false, failed); }).toThrow(/NOSUCH/u);
  });
});

/** An addon whose clones are the test's: `parts` replaces what it needs. */
function fakeAddon(parts: Partial<SpawnAddon>): SpawnAddon {
  return { spawn: () => ({ errno: 1, syscall: 'spawn' }), onChildExit: () => undefined, canSpawn: () => true, ...parts };
}

/** An addon that fails every exec, noting in `paths` which thread each clone ran on; it refuses
 *  to queue '/bad' (as it refuses a malformed spec). */
function recordingAddon(paths: string[]): SpawnAddon {
  return fakeAddon({
    spawn: (s) => {
      paths.push(`main thread ${s.file}`);
      return { errno: 2, syscall: 'execve' };
    },
    spawnAsync: (s, done) => {
      if (s.file === '/bad') throw new TypeError('spawn(spec): spec needs a file, an argv and an env of strings');
      paths.push(`spawn thread ${s.file}`);
      done({ errno: 2, syscall: 'execve' });
    },
  });
}

/** Asks `spawner` for each name in turn; each outcome lands in the returned list as `name kind`. */
function spawnEach(spawner: ReturnType<typeof createNativeSpawner>, names: readonly string[]): string[] {
  const outcomes: string[] = [];
  for (const name of names) {
    spawner.spawn({ spec: spec([name]), wanted: () => true, settle: (o) => outcomes.push(`${name} ${o.kind}`), asked: true });
  }
  return outcomes;
}

describe('the clone gate', () => {
  it('runs at most the given number of clones at once, the rest as earlier ones finish, outcomes in the order asked', async () => {
    const calls: { file: string; done: (r: NativeSpawnResult) => void }[] = [];
    const gated = createNativeSpawner(fakeAddon({ spawnAsync: (s, done) => calls.push({ file: s.file, done }) }), new SpawnQueue(), 2);
    const outcomes = spawnEach(gated, ['/a', '/b', '/c', '/d']);
    await waitUntil(() => (calls.length > 0 ? true : undefined), 2_000, 'the first clones');
    expect(calls.map((c) => c.file)).toEqual(['/a', '/b']);
    const nextTurn = async (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    // /b finishes first: /c starts in the next turn, but /b's outcome waits for /a's.
    calls[1]?.done({ errno: 2, syscall: 'execve' });
    expect(calls.map((c) => c.file)).toEqual(['/a', '/b']);
    await nextTurn();
    expect(calls.map((c) => c.file)).toEqual(['/a', '/b', '/c']);
    expect(outcomes).toEqual([]);
    calls[0]?.done({ errno: 13, syscall: 'execve' });
    expect(outcomes).toEqual(['/a failed', '/b failed']);
    await nextTurn();
    calls[2]?.done({ errno: 2, syscall: 'execve' });
    calls[3]?.done({ errno: 2, syscall: 'execve' });
    expect(calls.map((c) => c.file)).toEqual(['/a', '/b', '/c', '/d']);
    expect(outcomes).toEqual(['/a failed', '/b failed', '/c failed', '/d failed']);
  });

  it('holds an exit seen before its outcome is settled until then: output pipes are still open when the receiver gets them', async () => {
    const calls: ((r: NativeSpawnResult) => void)[] = [];
    let exitOf: (pid: number, status: number) => void = () => undefined;
    const fake = fakeAddon({ spawnAsync: (_s, done) => calls.push(done), onChildExit: (callback) => { exitOf = callback; } });
    const gated = createNativeSpawner(fake, new SpawnQueue(), 2);
    const fds = [openSync('/dev/null', 'r'), openSync('/dev/null', 'r')];
    const seen: string[] = [];
    const exits: Promise<ChildExit>[] = [];
    for (const name of ['/a', '/b']) {
      gated.spawn({
        spec: spec([name]), wanted: () => true, asked: true,
        settle: (o) => {
          if (o.kind !== 'spawned') throw new Error(`not spawned: ${o.kind}`);
          // Still open: fstat does not throw EBADF.
          seen.push(`${name} ${o.child.pid} fd open: ${fstatSync(fds[o.child.pid - 4001] ?? -1).isCharacterDevice()}`);
          exits.push(o.child.exited);
        },
      });
    }
    await waitUntil(() => (calls.length === 2 ? true : undefined), 2_000, 'both clones');
    calls[1]?.({ pid: 4002, stdin: -1, stdout: fds[1] ?? -1, stderr: -1 });
    // /b exits before /a's clone is done, so before /b's outcome can be settled.
    exitOf(4002, 7 << 8);
    calls[0]?.({ pid: 4001, stdin: -1, stdout: fds[0] ?? -1, stderr: -1 });
    expect(seen).toEqual(['/a 4001 fd open: true', '/b 4002 fd open: true']);
    expect(await exits[1]).toEqual({ code: 7, signal: null });
    // Its exit then closed the pipe nobody read.
    expect(() => fstatSync(fds[1] ?? -1)).toThrow(/EBADF/u);
    exitOf(4001, 0);
    expect(await exits[0]).toEqual({ code: 0, signal: null });
  });

  it('keeps restarts the daemon does on its own (not asked for) on the main thread, however many are queued', async () => {
    const paths: string[] = [];
    const gated = createNativeSpawner(recordingAddon(paths), new SpawnQueue(), 3);
    const outcomes: string[] = [];
    for (const name of ['/r1', '/r2', '/r3']) gated.spawn({ spec: spec([name]), wanted: () => true, settle: (o) => outcomes.push(`${name} ${o.kind}`) });
    await waitUntil(() => (outcomes.length === 3 ? true : undefined), 2_000, 'three outcomes');
    expect(paths).toEqual(['main thread /r1', 'main thread /r2', 'main thread /r3']);
  });

  it('frees the slot of a clone the addon refused to queue, and fails only that spawn', async () => {
    const paths: string[] = [];
    const outcomes = spawnEach(createNativeSpawner(recordingAddon(paths), new SpawnQueue(), 1), ['/bad', '/bad', '/ok', '/last']);
    await waitUntil(() => (outcomes.length === 4 ? true : undefined), 2_000, 'four outcomes');
    expect(outcomes).toEqual(['/bad failed', '/bad failed', '/ok failed', '/last failed']);
    // The one slot was free again for /ok; /last, alone with nothing under way, took the main thread.
    expect(paths).toEqual(['spawn thread /ok', 'main thread /last']);
  });
});

describe('choosing the native spawner', () => {
  it('is not chosen for an addon without spawn(), one whose probe fails, or no addon', () => {
    const base = { reap: () => null, listenSocket: () => ({ fd: -1 }) };
    expect(spawnAddonOf(base)).toBeNull();
    expect(spawnAddonOf({ ...base, spawn: () => ({ errno: 1, syscall: 'x' }), onChildExit: () => undefined, canSpawn: () => false })).toBeNull();
    expect(spawnAddonOf({ missing: 'no build' })).toBeNull();
    const works = { ...base, spawn: () => ({ errno: 1, syscall: 'x' }), onChildExit: () => undefined, canSpawn: () => true };
    expect(spawnAddonOf(works)).not.toBeNull();
  });

  it('is chosen here, where the addon is built and the kernel has pidfds', () => {
    // The daemon tests then run on it; /proc/version tells a kernel too old for CLONE_PIDFD.
    const [major = 0, minor = 0] = (/Linux version (\d+)\.(\d+)/u.exec(readFileSync('/proc/version', 'utf8')) ?? []).slice(1).map(Number);
    if (!('missing' in loadNativeAddon()) && (major > 5 || (major === 5 && minor >= 3))) expect(addon).not.toBeNull();
  });
});
