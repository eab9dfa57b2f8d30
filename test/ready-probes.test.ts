// The ready= probes against real children: each fixture becomes ready after a delay and writes
// the moment it did (test/fixtures/ready-after.mjs, notify-after.py); the probe must not pass
// before that moment, must pass soon after (the latency is printed), and its stop must release
// everything it made (no descriptor left in /proc/self/fd, no exec child left running).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ReadySpec } from '../src/config/schema.js';
import { createChildLogs, type ChildLogs } from '../src/logging/child-output.js';
import type { Probe, ProbeRun } from '../src/process/probe.js';
import { execAttempt } from '../src/process/probes/exec.js';
import { loadNativeAddon } from '../src/host/native-addon.js';
import { createProbe } from '../src/process/probes/index.js';
import { notifyProbe } from '../src/process/probes/notify.js';
import { poll } from '../src/process/probes/poll.js';
import type { ChildExit } from '../src/process/spawner.js';
import { freePort } from './support/ports.js';
import { FIXTURES, programConfig } from './support/supervisor-harness.js';
import { tempDir } from './support/tmp.js';
import { waitGone, waitUntil } from './support/wait.js';

const now = (): number => performance.timeOrigin + performance.now();
const fdCount = (): number => readdirSync('/proc/self/fd').length;

const PYTHON = '/usr/bin/python3';

function daemonEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A real child read through a real ChildLogs (so log: sees what the daemon would), as a ProbeRun. */
interface Child {
  readonly run: ProbeRun;
  readonly child: ChildProcess;
  readonly logs: ChildLogs;
  readonly markFile: string;
  readonly spawnedAt: number;
}

function startChild(dir: string, file: string, args: readonly (string | number)[], probe: Probe,
  extraEnv: Readonly<Record<string, string>> = {}): Child {
  const markFile = join(dir, `mark-${Math.random().toString(36).slice(2)}.json`);
  const env = { ...daemonEnv(), ...probe.environment(), MARK_FILE: markFile, ...extraEnv };
  const spawnedAt = now();
  const child = spawn(file, args.map(String), { env, cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${file} did not start`);
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => { resolve({ code, signal }); });
  });
  const logs = createChildLogs(programConfig({ name: 'probed', command: file }), {
    childlogdir: dir, identifier: 'test', onError: (message) => { throw new Error(message); },
  });
  logs.attach({ pid, stdout: child.stdout, stderr: child.stderr, stdin: child.stdin, exited });
  onTestFinished(async () => {
    // Also when the test failed half-way: no socket (or its folder) left behind. close() is idempotent.
    probe.close();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await logs.close();
  });
  return { run: { pid, env, cwd: dir, watchOutput: (fn) => logs.watch(fn) }, child, logs, markFile, spawnedAt };
}

async function markOf(file: string): Promise<number> {
  // The probe may pass while the fixture is still writing its mark: wait for the whole of it.
  const parsed = (): number | undefined => {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { at: number }).at;
    } catch {
      return undefined;
    }
  };
  return waitUntil(parsed, 5000, `the fixture's mark ${file}`);
}

/** Starts the probe on the run; resolves with the moment ready() came, rejects on failed(). */
function probeRun(probe: Probe, run: ProbeRun, timeoutMs = 10_000): { readonly stop: () => void; readonly readyAt: Promise<number> } {
  let stop: () => void = () => undefined;
  const readyAt = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${probe.description} not ready within ${timeoutMs} ms`)); }, timeoutMs);
    let calls = 0;
    stop = probe.start(run, () => {
      calls++;
      clearTimeout(timer);
      // ready() at most once: a second call would be a contract breach worth failing on.
      if (calls > 1) reject(new Error('ready() called twice'));
      resolve(now());
    }, (reason) => {
      clearTimeout(timer);
      reject(new Error(`failed: ${reason}`));
    });
  });
  return { stop, readyAt };
}

/** Every descriptor the probe and the child opened is closed again. */
async function expectFdsBackTo(baseline: number): Promise<void> {
  await waitUntil(() => (fdCount() <= baseline ? true : undefined), 3000, `descriptors back to ${baseline} (now ${fdCount()})`);
}

async function stopAll(child: Child, probe: Probe, stop: () => void): Promise<void> {
  stop();
  probe.close();
  child.child.kill('SIGKILL');
  await waitGone(child.run.pid);
  await child.logs.close();
}

const latencies: string[] = [];
function report(kind: string, latency: number): void {
  const line = `${kind}: ready ${latency.toFixed(1)} ms after the fact`;
  latencies.push(line);
  console.log(line);
}

/**
 * ready-after.mjs with `args` under a probe for `spec`: ready() comes at or after the moment the
 * fixture marked, and less than `withinMs` later; then everything is released.
 */
async function expectReadyAfterFact(kind: string, spec: ReadySpec, args: readonly (string | number)[], withinMs: number): Promise<void> {
  const dir = tempDir();
  const baseline = fdCount();
  const probe = createProbe(spec, { name: 'probed', group: 'probed' });
  const child = startChild(dir, process.execPath, [`${FIXTURES}ready-after.mjs`, ...args], probe);
  const { stop, readyAt } = probeRun(probe, child.run);
  const at = await readyAt;
  const fact = await markOf(child.markFile);
  expect(at).toBeGreaterThanOrEqual(fact);
  expect(at - fact).toBeLessThan(withinMs);
  report(kind, at - fact);
  await stopAll(child, probe, stop);
  await expectFdsBackTo(baseline);
}

describe('ready probes with real children', () => {
  it('tcp: passes once the port accepts, not before, within one interval; stop releases its sockets', async () => {
    const port = await freePort();
    // 50 ms between tries, plus a loaded machine's slack.
    await expectReadyAfterFact('tcp', { kind: 'tcp', host: '127.0.0.1', port }, ['tcp', port, 700], 400);
  });

  it('tcp: a child that logs its listen is seen within milliseconds (its output brings the next try forward)', async () => {
    // Five runs: a plain 50 ms poll would be under 25 ms late in all five only by luck (~3%).
    for (let i = 0; i < 5; i++) {
      const port = await freePort();
      await expectReadyAfterFact('tcp, the child logging its listen', { kind: 'tcp', host: '127.0.0.1', port }, ['tcp', port, 300 + 37 * i, 'say'], 25);
    }
  });

  it('http: passes on the first 2xx after the 500s, not on a 500; stop releases its sockets', async () => {
    const port = await freePort();
    // The fixture answers 500 for 500 ms after its listen: ready must come after that.
    await expectReadyAfterFact('http', { kind: 'http', url: `http://127.0.0.1:${port}/health` }, ['http', port, 300, 500], 400);
  });

  it('https: a self-signed certificate (the usual one on loopback) does not keep it from passing', async () => {
    const dir = tempDir();
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    const made = spawn('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    expect(await new Promise((resolve) => made.once('exit', resolve))).toBe(0);
    const port = await freePort();
    await expectReadyAfterFact('https', { kind: 'http', url: `https://127.0.0.1:${port}/` }, ['https', port, 200, 300, key, cert], 400);
  });

  it('log: a line split across writes (stderr in between) passes when its end is written', async () => {
    await expectReadyAfterFact('log', { kind: 'log', pattern: '^Ready to accept connections$' }, ['log', 300], 50);
  });

  it('exec: runs with the program\'s environment and directory, passes once the command exits 0', async () => {
    const dir = tempDir();
    const baseline = fdCount();
    // Each try notes itself in `tries` (in the program's directory), then checks.
    const probe = createProbe({ kind: 'exec', command: 'sh -c \'echo try >> tries; test "$PROBE_WANTS" = flag && test -f flag\'' }, { name: 'ex', group: 'ex' });
    const child = startChild(dir, process.execPath, [`${FIXTURES}sleep-forever.mjs`], probe, { PROBE_WANTS: 'flag' });
    const { stop, readyAt } = probeRun(probe, child.run);
    // A few failing tries first (each a real sh that exits 1).
    const tries = (): number => (existsSync(join(dir, 'tries')) ? readFileSync(join(dir, 'tries'), 'utf8').split('\n').length - 1 : 0);
    await waitUntil(() => (tries() >= 2 ? true : undefined), 5000, 'two failing exec tries');
    const fact = now();
    writeFileSync(join(dir, 'flag'), '');
    const at = await readyAt;
    expect(at).toBeGreaterThanOrEqual(fact);
    // 250 ms between tries, plus a fork and a shell.
    expect(at - fact).toBeLessThan(600);
    report('exec', at - fact);
    await stopAll(child, probe, stop);
    await expectFdsBackTo(baseline);
  });

  it('exec: a try that outlives its timeout is killed with what it started, and stop kills the running one', async () => {
    const dir = tempDir();
    const baseline = fdCount();
    const pids = join(dir, 'pids');
    // Each try leaves a grandchild (sleep) and waits for it: only a kill of the group ends both.
    const attempt = execAttempt(`/bin/sh -c 'sleep 1000 & echo "$$ $!" >> ${pids}; wait'`, { pid: process.pid, env: daemonEnv(), cwd: dir, watchOutput: () => () => undefined });
    let ready = false;
    const stop = poll(attempt, { intervalMs: 50, tryTimeoutMs: 300 }, () => { ready = true; });
    const tries = (): number[][] => (existsSync(pids) ? readFileSync(pids, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number)) : []);
    await waitUntil(() => (tries().length >= 2 ? true : undefined), 5000, 'a second try');
    const [first] = tries();
    for (const pid of first ?? []) await waitGone(pid, 1000);
    stop();
    const last = tries().at(-1) ?? [];
    for (const pid of last) await waitGone(pid, 1000);
    expect(ready).toBe(false);
    await expectFdsBackTo(baseline);
  });

  it('notify: READY=1 from the child passes at once; a stranger\'s READY=1 and other datagrams do not', async () => {
    const dir = tempDir();
    const baseline = fdCount();
    const probe = createProbe({ kind: 'notify' }, { name: 'n', group: 'n' });
    const child = startChild(dir, PYTHON, [`${FIXTURES}notify-after.py`, 800], probe);
    const socket = child.run.env.NOTIFY_SOCKET ?? '';
    expect(socket).toMatch(/\/tssupervisor-notify-[^/]+\/[0-9a-f]{24}\.sock$/u);
    const { stop, readyAt } = probeRun(probe, child.run);
    // Another user (nobody) sends READY=1 first: its credentials say it is neither the child nor
    // the child's user, so nothing happens.
    const stranger = spawn('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', PYTHON, '-c',
      'import os, socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"READY=1\\n", os.environ["NOTIFY_SOCKET"])'],
    { env: { NOTIFY_SOCKET: socket }, stdio: 'inherit' });
    expect(await new Promise((resolve) => stranger.once('exit', resolve))).toBe(0);
    // The child's own user, but not READY: ignored too.
    const status = spawn(PYTHON, [`${FIXTURES}notify-after.py`, '-1', 'STATUS=loading\\nREADY=0\\n'], { env: { NOTIFY_SOCKET: socket }, stdio: 'inherit' });
    expect(await new Promise((resolve) => status.once('exit', resolve))).toBe(0);
    const at = await readyAt;
    const fact = await markOf(child.markFile);
    expect(at).toBeGreaterThanOrEqual(fact);
    expect(at - fact).toBeLessThan(50);
    report('notify', at - fact);
    await stopAll(child, probe, stop);
    // The socket, and with the daemon's last one its folder, are gone.
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(dirname(socket))).toBe(false);
    await expectFdsBackTo(baseline);
  });

  it('notify: a child running as another user (user=) can reach its socket, and its READY=1 counts', async () => {
    const dir = tempDir();
    const probe = createProbe({ kind: 'notify' }, { name: 'nobody', group: 'nobody' });
    onTestFinished(() => { probe.close(); });
    // setpriv execs python: the child is nobody (65534) with the spawned pid. It cannot write a
    // mark in the test's private folder, so it writes none.
    const child = startChild(dir, '/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', PYTHON,
      `${FIXTURES}notify-after.py`, 300], probe, { MARK_FILE: '' });
    const { stop, readyAt } = probeRun(probe, child.run, 5000);
    const at = await readyAt;
    expect(at - child.spawnedAt).toBeGreaterThanOrEqual(300);
    stop();
  });

  it('notify: a READY=1 sent between the spawn and start() is not lost', async () => {
    const dir = tempDir();
    // The real addon, with a tap that says when a datagram has reached the event loop.
    const addon = loadNativeAddon();
    if ('missing' in addon || addon.openNotifySocket === undefined) throw new Error('the native addon is needed for notify');
    const openNotifySocket = addon.openNotifySocket;
    let delivered: () => void = () => undefined;
    const reachedLoop = new Promise<void>((resolve) => { delivered = resolve; });
    const probe = notifyProbe({
      ...addon,
      openNotifySocket: (path, mode, onMessage) => openNotifySocket(path, mode, (data, pid, uid) => {
        onMessage(data, pid, uid);
        delivered();
      }),
    });
    onTestFinished(() => { probe.close(); });
    const child = startChild(dir, PYTHON, [`${FIXTURES}notify-after.py`, 0], probe);
    // READY=1 is in the probe's hands before anyone watches this run.
    await reachedLoop;
    const { stop, readyAt } = probeRun(probe, child.run, 2000);
    await readyAt;
    stop();
  });

  it('notify and exec against Debian\'s redis-server (supervised systemd sends READY=1)', async () => {
    const dir = tempDir();
    const baseline = fdCount();
    for (const spec of [{ kind: 'notify' }, { kind: 'exec', command: '' }] as const) {
      const port = await freePort();
      const ready: ReadySpec = spec.kind === 'notify' ? spec : { kind: 'exec', command: `redis-cli -p ${port} ping` };
      const probe = createProbe(ready, { name: 'redis', group: 'redis' });
      const child = startChild(dir, '/usr/bin/redis-server', ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--dir', dir, '--supervised', 'systemd'], probe);
      const { stop, readyAt } = probeRun(probe, child.run);
      const at = await readyAt;
      // Ready means it serves: a PING answers now.
      const pong = spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let answer = '';
      pong.stdout.on('data', (d: Buffer) => { answer += d.toString(); });
      await new Promise((resolve) => pong.once('close', resolve));
      expect(answer.trim()).toBe('PONG');
      report(`redis ${probe.description} (from spawn)`, at - child.spawnedAt);
      await stopAll(child, probe, stop);
    }
    await expectFdsBackTo(baseline);
  });
});
