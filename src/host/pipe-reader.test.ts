// The addon's pipe reader on real children's pipes: every byte to EOF, pause that holds a child on
// its full pipe, destroy that closes the pipe under a writer, and no descriptor left behind.
import { closeSync, existsSync, readFileSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../test/support/wait.js';
import { loadNativeAddon, type NativeSpawnResult } from './native-addon.js';
import { NativePipeReader, pipeAddonOf, type PipeAddon } from './pipe-reader.js';

const native = loadNativeAddon();
const pipes: PipeAddon | null = 'missing' in native ? null : pipeAddonOf(native);

type Spawned = Extract<NativeSpawnResult, { pid: number }>;

/** `script` under /bin/sh, its exit status (raw) promised. */
async function sh(script: string): Promise<{ child: Spawned; exited: Promise<number> }> {
  if ('missing' in native || native.spawnAsync === undefined || native.onChildExit === undefined) throw new Error('no addon spawnAsync');
  const { spawnAsync, onChildExit } = native;
  const exits = new Map<number, (status: number) => void>();
  onChildExit((pid, status) => exits.get(pid)?.(status));
  const child = await new Promise<Spawned>((resolve, reject) => {
    spawnAsync({ file: '/bin/sh', argv: ['/bin/sh', '-c', script], env: ['PATH=/usr/bin:/bin'] }, (result) => {
      if ('errno' in result) reject(new Error(`spawn failed: errno ${result.errno}`));
      else resolve(result);
    });
  });
  const exited = new Promise<number>((resolve) => exits.set(child.pid, resolve));
  return { child, exited };
}

/** A reader counting bytes into `got`, its closes into `closes`. */
function counting(addon: PipeAddon, fd: number, size = 64 * 1024, answer: () => boolean | undefined = () => undefined) {
  const state = { bytes: 0, text: '', closes: 0 };
  const buffer = Buffer.alloc(size);
  const reader = new NativePipeReader(addon, fd, {
    buffer,
    callback: (bytes, buf) => {
      state.bytes += bytes;
      if (state.text.length < 100) state.text += Buffer.from(buf.buffer, buf.byteOffset, bytes).toString('utf8');
      return answer();
    },
  });
  reader.once('close', () => {
    state.closes++;
  });
  return { reader, state };
}

const open = (fd: number): boolean => existsSync(`/proc/self/fd/${fd}`);

describe.skipIf(pipes === null)('the native pipe reader', () => {
  const addon = pipes as PipeAddon;

  it('reads every byte to EOF, closes once and takes its descriptor with it', async () => {
    const { child, exited } = await sh('head -c 3000000 /dev/zero; printf tail >&2');
    closeSync(child.stdin);
    const out = counting(addon, child.stdout);
    const err = counting(addon, child.stderr);
    await waitUntil(() => (out.state.closes && err.state.closes ? true : undefined), 10_000, 'both pipes to close');
    expect(out.state).toMatchObject({ bytes: 3_000_000, closes: 1 });
    expect(err.state).toEqual({ bytes: 4, text: 'tail', closes: 1 });
    expect([out.reader.closed, err.reader.closed, open(child.stdout), open(child.stderr)]).toEqual([true, true, false, false]);
    expect((await exited) >> 8).toBe(0);
  });

  it('paused (or told false by its callback), holds the child on its full pipe; resumed, lets it finish', async () => {
    // exec: the writer is the child itself, so its own wchan shows where it waits.
    const { child, exited } = await sh('exec head -c 1000000 /dev/zero');
    closeSync(child.stdin);
    // The first read answers false: paused from then on, as a Socket's onread.
    let answered = false;
    const out = counting(addon, child.stdout, 16 * 1024, () => {
      if (answered) return undefined;
      answered = true;
      return false;
    });
    closeSync(child.stderr);
    const wchan = (): string => readFileSync(`/proc/${child.pid}/wchan`, 'utf8');
    // pipe_write, or anon_pipe_write in Linux 6.16+: asleep in a write to a pipe.
    await waitUntil(() => (out.state.bytes > 0 && /pipe_write$/u.test(wchan()) ? true : undefined), 10_000, 'the child blocked writing its full pipe');
    const held = out.state.bytes;
    out.reader.resume();
    out.reader.pause();
    out.reader.resume();
    await waitUntil(() => (out.state.closes ? true : undefined), 10_000, 'stdout to reach EOF after resume');
    expect(held).toBeLessThan(1_000_000);
    expect(out.state.bytes).toBe(1_000_000);
    expect((await exited) >> 8).toBe(0);
  }, 30_000);

  it("destroy closes the pipe now and says 'close' once, in a later tick: a child still writing gets SIGPIPE", async () => {
    const { child, exited } = await sh('read go; while :; do echo y; done');
    const out = counting(addon, child.stdout);
    out.reader.destroy();
    expect([out.state.closes, out.reader.destroyed, open(child.stdout)]).toEqual([0, true, false]);
    await waitUntil(() => (out.state.closes ? true : undefined), 5000, "'close' after destroy");
    out.reader.destroy();
    // Let it write: its stdout has no reader any more.
    writeSync(child.stdin, 'go\n');
    closeSync(child.stdin);
    closeSync(child.stderr);
    expect((await exited) & 0x7f).toBe(13);
    expect(out.state.closes).toBe(1);
  });
});
