// child-output's facts for the event flow (PROCESS_LOG_*, PROCESS_COMMUNICATION_*) and an
// eventlistener's stdout tap, with real children on real pipes read into the shared read buffer.
import { readFileSync } from 'node:fs';
import { onTestFinished, describe, expect, it } from 'vitest';
import type { ChannelConfig, ProcessConfig } from '../src/config/schema.js';
import { BEGIN_TOKEN, END_TOKEN } from '../src/logging/capture-mode.js';
import { createChildLogs, type ChildLogs, type OutputFact, type StdoutProtocol } from '../src/logging/child-output.js';
import { processSpawner, type ChildHandle, type SpawnOutcome } from '../src/process/spawner.js';
import { FIXTURES, fileChannel, programConfig } from './support/supervisor-harness.js';
import { tempDir } from './support/tmp.js';
import { waitForFile, waitUntil } from './support/wait.js';

const BEGIN = BEGIN_TOKEN.toString();
const END = END_TOKEN.toString();

interface Run {
  readonly child: ChildHandle;
  readonly logs: ChildLogs;
  readonly facts: OutputFact[];
  readonly debug: string[];
  readonly errors: string[];
  readonly dir: string;
  /** Lets the child's next `wait` step go on. */
  next(): void;
  /** Resolves once the child exited, both pipes are closed (all output was read) and the files are written. */
  done(): Promise<void>;
}

function channel(dir: string, name: string, extra: Partial<ChannelConfig> = {}): ChannelConfig {
  return { ...fileChannel(`${dir}/${name}.log`), ...extra };
}

async function spawnChild(steps: readonly string[]): Promise<ChildHandle> {
  const file = process.execPath;
  const outcome = await new Promise<SpawnOutcome>((settle) => {
    processSpawner.spawn({
      spec: {
        file, argv: [file, `${FIXTURES}write-chunks.mjs`, ...steps], env: { PATH: '/usr/bin:/bin' },
        cwd: null, uid: null, gid: null, umask: null, redirectStderr: false,
      },
      wanted: () => true,
      settle,
    });
  });
  if (outcome.kind !== 'spawned') throw new Error(`spawn failed: ${JSON.stringify(outcome)}`);
  const { child } = outcome;
  onTestFinished(async () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await child.exited;
  });
  return child;
}

/** Runs write-chunks.mjs with `steps` under a ChildLogs for `config(dir)`. */
async function run(config: (dir: string) => Partial<ProcessConfig>, steps: readonly string[],
  stdoutProtocol?: StdoutProtocol): Promise<Run> {
  const dir = tempDir();
  const p = programConfig({ name: 'cap', command: 'write-chunks', ...config(dir) });
  const facts: OutputFact[] = [];
  const debug: string[] = [];
  const errors: string[] = [];
  const logs = createChildLogs(p, {
    childlogdir: dir, identifier: 'supervisor',
    onError: (m) => { errors.push(m); },
    debugOutput: (m) => { debug.push(m); },
    onOutputFact: (fact) => { facts.push(fact); },
  });
  onTestFinished(async () => { await logs.close(); });
  const child = await spawnChild(steps);
  const closed = [child.stdout, child.stderr].map(async (s) => new Promise((resolve) => {
    if (s === null || !('closed' in s) || s.closed) resolve(undefined);
    else s.once('close', resolve);
  }));
  logs.attach(child, stdoutProtocol);
  return {
    child, logs, facts, debug, errors, dir,
    next: () => { child.stdin.write('\n'); },
    async done() {
      await child.exited;
      await Promise.all(closed);
      await logs.close();
    },
  };
}

const text = (b: Buffer): string => b.toString('latin1');
const summary = (facts: readonly OutputFact[]): string[][] => facts.map((f) => [f.kind, f.channel, text(f.data)]);
const read = (file: string): string => readFileSync(file, 'latin1');

describe('child output facts', () => {
  it('a payload split across writes: one comm fact with the captured text, the text around it in the log', async () => {
    const r = await run((dir) => ({ stdout: channel(dir, 'out', { captureMaxBytes: 100 }) }), [
      '1:before <!--XSUPER', 'sleep:40', '1:VISOR:BEGIN-->hel', 'sleep:40', '1:lo<!--XSUPERVISOR:END-->', 'sleep:40',
      '1: and the text after it\n', 'sleep:40', '1:bye\n', 'sleep:40', '1:end\n',
    ]);
    await r.done();
    expect(summary(r.facts)).toEqual([['comm', 'stdout', 'hello']]);
    expect(r.facts[0]?.pid).toBe(r.child.pid);
    // 'end\n' is shorter than BEGIN: supervisord holds it back for good; we log it at the end.
    expect(read(`${r.dir}/out.log`)).toBe('before  and the text after it\nbye\nend\n');
    expect(r.debug).toContain("'cap' stdout emitted a comm event");
    expect(r.errors).toEqual([]);
  });

  it('PROCESS_LOG facts only on channels with events enabled, as logged: after strip_ansi, before timestamps', async () => {
    const r = await run((dir) => ({
      stripAnsi: true,
      stdout: channel(dir, 'out', { eventsEnabled: true, timestamps: true }),
      stderr: channel(dir, 'err'),
    }), ['1:\x1b[31mred\x1b[0m out\n', 'wait', '2:err one\n', '1:out two\n']);
    // The second stdout write only once the first was read, so they are two reads, two facts.
    await waitUntil(() => (r.facts.length > 0 ? true : undefined), 5000, 'the first fact');
    r.next();
    await r.done();
    expect(summary(r.facts)).toEqual([['log', 'stdout', 'red out\n'], ['log', 'stdout', 'out two\n']]);
    expect(r.facts.map((f) => f.pid)).toEqual([r.child.pid, r.child.pid]);
    expect(read(`${r.dir}/out.log`)).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z red out\n\S+ out two\n$/u);
    expect(read(`${r.dir}/err.log`)).toBe('err one\n');
  });

  it('no facts at all with events disabled and no capture: the plain path', async () => {
    const r = await run((dir) => ({ stdout: channel(dir, 'out'), stderr: channel(dir, 'err') }),
      ['1:out\n', '2:err\n', `1:${BEGIN}not captured${END}\n`]);
    await r.done();
    expect(r.facts).toEqual([]);
    expect(read(`${r.dir}/out.log`)).toBe(`out\n${BEGIN}not captured${END}\n`);
  });

  it('capture mode with events: captured pieces are log facts too, and the payload follows BoundIO\'s overflow rule', async () => {
    const r = await run((dir) => ({ stdout: channel(dir, 'out', { captureMaxBytes: 10, eventsEnabled: true }) }), [
      `1:${BEGIN}${'a'.repeat(30)}`, 'wait', `1:${'b'.repeat(5)}${END}and after the payload, long enough\n`,
    ]);
    // The second write only once the first was read: two reads, two pieces in the capture buffer.
    await waitUntil(() => (r.facts.length > 0 ? true : undefined), 5000, 'the captured piece');
    r.next();
    await r.done();
    expect(summary(r.facts)).toEqual([
      ['log', 'stdout', 'a'.repeat(30)],
      ['log', 'stdout', 'bbbbb'],
      // 30 + 5 > 10: the 30 a's (already over the bound, kept whole) lose 5 bytes at the front.
      ['comm', 'stdout', `${'a'.repeat(25)}bbbbb`],
      ['log', 'stdout', 'and after the payload, long enough\n'],
    ]);
    expect(read(`${r.dir}/out.log`)).toBe('and after the payload, long enough\n');
  });

  it('clearProcessLogs empties the capture buffer as supervisord\'s removelogs does', async () => {
    const r = await run((dir) => ({ stdout: channel(dir, 'out', { captureMaxBytes: 100, eventsEnabled: true }) }), [
      `1:${BEGIN}cleared away, long enough`, 'wait', `1:kept, long enough to be read${END}`,
    ]);
    await waitUntil(() => (r.facts.length > 0 ? true : undefined), 5000, 'the captured piece');
    r.logs.clear();
    r.next();
    await r.done();
    expect(summary(r.facts).filter(([k]) => k === 'comm')).toEqual([['comm', 'stdout', 'kept, long enough to be read']]);
  });

  it('facts keep their bytes after later reads overwrite the shared read buffer', async () => {
    const r = await run((dir) => ({
      stdout: channel(dir, 'out', { captureMaxBytes: 100, eventsEnabled: true }),
      stderr: channel(dir, 'err', { eventsEnabled: true }),
    }), [
      '1:first line of output, long enough\n', 'sleep:40', '2:from stderr\n', 'sleep:40', `1:${BEGIN}the payload${END} and more text after it, long enough\n`,
      'sleep:40', ...Array.from({ length: 4 }, () => 'repeat:1:Z:60000'), ...Array.from({ length: 4 }, () => 'repeat:2:Y:60000'),
    ]);
    await r.done();
    // Had a fact kept a view of the shared buffer, the reads of Z's and Y's would show in it.
    const joined = (channel: string, kind: string): string => r.facts.filter((f) => f.channel === channel && f.kind === kind)
      .map((f) => text(f.data)).join('');
    expect(joined('stdout', 'log')).toBe(`first line of output, long enough\nthe payload and more text after it, long enough\n${'Z'.repeat(240_000)}`);
    expect(summary(r.facts.filter((f) => f.kind === 'comm'))).toEqual([['comm', 'stdout', 'the payload']]);
    expect(joined('stderr', 'log')).toBe(`from stderr\n${'Y'.repeat(240_000)}`);
    expect(summary(r.facts.slice(0, 1))).toEqual([['log', 'stdout', 'first line of output, long enough\n']]);
  });

  it('an eventlistener\'s stdout: logged and handed on as read (copies), with no capture and no facts; its stderr is an ordinary channel', async () => {
    const chunks: Buffer[] = [];
    const r = await run((dir) => ({
      kind: 'eventlistener',
      stdout: channel(dir, 'out', { captureMaxBytes: 100, eventsEnabled: true }),
      stderr: channel(dir, 'err', { captureMaxBytes: 100 }),
    }), [
      '1:READY\n', 'wait', `1:RESULT 2\nOK${BEGIN}x${END}`, 'sleep:40', `2:${BEGIN}from stderr${END} then a long enough line\n`,
      'sleep:40', 'repeat:1:Z:60000', 'repeat:1:Z:60000',
    ], (chunk) => { chunks.push(chunk); });
    await waitUntil(() => (chunks.length > 0 ? true : undefined), 5000, 'READY');
    r.next();
    await r.done();
    expect(text(chunks[0] ?? Buffer.alloc(0))).toBe('READY\n');
    expect(chunks.map(text).join('')).toBe(`READY\nRESULT 2\nOK${BEGIN}x${END}${'Z'.repeat(120_000)}`);
    expect(read(`${r.dir}/out.log`)).toBe(`READY\nRESULT 2\nOK${BEGIN}x${END}${'Z'.repeat(120_000)}`);
    expect(summary(r.facts)).toEqual([['comm', 'stderr', 'from stderr']]);
    expect(read(`${r.dir}/err.log`)).toBe(' then a long enough line\n');
    // supervisord echoes a listener's stdout as Python's repr of the bytes.
    expect(r.debug[0]).toBe("'cap' stdout output:\nb'READY\\n'");
  });

  it('a subscriber that throws is reported and the output goes on', async () => {
    const dir = tempDir();
    const errors: string[] = [];
    const p = programConfig({ name: 'cap', command: 'x', stdout: channel(dir, 'out', { eventsEnabled: true }) });
    const logs = createChildLogs(p, {
      childlogdir: dir, identifier: 'supervisor', onError: (m) => { errors.push(m); },
      onOutputFact: () => { throw new Error('subscriber bug'); },
    });
    onTestFinished(async () => { await logs.close(); });
    const child = await spawnChild(['1:one\n', 'sleep:40', '1:two\n']);
    logs.attach(child);
    await waitForFile(`${dir}/out.log`, /^one\ntwo\n$/u);
    // One report per fact: one or two, as the two writes were read.
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set(['cap stdout log event subscriber failed: subscriber bug']));
  });
});

describe('ChildLogs.watch (the raw output ready=log: reads)', () => {
  it('tells every chunk of both channels as read, before strip_ansi and capture, with its channel; until unsubscribed', async () => {
    const r = await run((dir) => ({
      stripAnsi: true,
      stdout: channel(dir, 'out', { captureMaxBytes: 100 }),
      stderr: channel(dir, 'err'),
    }), ['wait', '1:\x1b[31mred\x1b[0m\n', '2:err\n', `1:${BEGIN}captured${END}\n`, 'wait', '1:after\n']);
    const seen: [string, string][] = [];
    // Each watcher keeps copies: the chunk is the shared read buffer's.
    const unwatch = r.logs.watch((chunk, ch) => { seen.push([ch, text(chunk)]); });
    const twice: string[] = [];
    const unwatchTwice = r.logs.watch((chunk) => { twice.push(text(chunk)); });
    r.next();
    await waitUntil(() => (seen.map((s) => s[1]).join('').includes(END) ? true : undefined), 5000, 'the captured write');
    unwatch();
    unwatchTwice();
    r.next();
    await r.done();
    const joined = (ch: string): string => seen.filter((s) => s[0] === ch).map((s) => s[1]).join('');
    expect(joined('stdout')).toBe(`\x1b[31mred\x1b[0m\n${BEGIN}captured${END}\n`);
    expect(joined('stderr')).toBe('err\n');
    expect(twice.join('')).toBe(seen.map((s) => s[1]).join(''));
    // What the files got is unchanged by the watchers: stripped, captured, and the later write.
    expect(read(`${r.dir}/out.log`)).toBe('red\n\nafter\n');
    expect(r.errors).toEqual([]);
  });

  it('a watcher that throws is reported and the output goes on', async () => {
    const r = await run((dir) => ({ stdout: channel(dir, 'out') }), ['wait', '1:one\n', 'sleep:30', '1:two\n']);
    r.logs.watch(() => { throw new Error('watcher bug'); });
    r.next();
    await r.done();
    expect(read(`${r.dir}/out.log`)).toBe('one\ntwo\n');
    expect(new Set(r.errors)).toEqual(new Set(['cap stdout output watcher failed: watcher bug']));
  });
});
