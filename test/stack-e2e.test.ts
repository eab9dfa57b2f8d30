// The example stack, for real: redis master + two replicas, three sentinels, two app servers and
// nginx, run by tssupervisord from a copy of the repo's supervisord.conf + config.d/ that
// scripts/make-stack.mjs writes into a temporary folder on free loopback ports, and driven with
// tssupervisorctl the way an operator would.  One daemon for the whole file; the tests run in
// order and each leaves the stack in the state the next one expects.
//
// Needs Debian's redis-server, redis-sentinel and nginx.  Never skipped: without them every test
// fails and says what to install (.ci/run installs them).

import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CTL_BIN, DAEMON_BIN, ROOT } from './support/bins.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { isGone, procStat, waitGone } from './support/wait.js';

const TEST_MS = 120_000;
const PASSWORD = 'tssupervisor-demo-redis-pass';
const BINARIES = { 'redis-server': 'redis-server', 'redis-sentinel': 'redis-sentinel', nginx: 'nginx' } as const;
const PROGRAMS = ['app_8081', 'app_8082', 'nginx', 'redisd_6380', 'redisd_6381', 'redisd_6382',
  'sentinel_26380', 'sentinel_26381', 'sentinel_26382'] as const;
/** config.d's depends_on: each program and what it waits for. */
const DEPENDS_ON: Readonly<Record<string, readonly string[]>> = {
  sentinel_26380: ['redisd_6380'], sentinel_26381: ['redisd_6380'], sentinel_26382: ['redisd_6380'],
  app_8081: ['sentinel_26380', 'sentinel_26381', 'sentinel_26382'], app_8082: ['sentinel_26380', 'sentinel_26381', 'sentinel_26382'],
  nginx: ['app_8081', 'app_8082'],
};
/** The stack's event listener (config.d/crash_alert.ini): it writes alerts to log/alerts.log. */
const LISTENER = 'crash_alert';
const PRIORITY: Readonly<Record<string, number>> = {
  [LISTENER]: -1, nginx: 400, app_8081: 300, app_8082: 300, sentinel_26380: 200, sentinel_26381: 200, sentinel_26382: 200,
  redisd_6380: 100, redisd_6381: 100, redisd_6382: 100, extra: 999,
};

// ---------------------------------------------------------------------------------------------
// Helpers: binaries, ports, the ctl, redis, http, polling.

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/usr/bin'])) {
    const file = join(dir, name);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

function missingBinaries(): string[] {
  return Object.entries(BINARIES).filter(([bin]) => findOnPath(bin) === undefined).map(([bin, pkg]) => `${bin} (Debian package ${pkg})`);
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () => server.close(() => {
      resolve(true);
    }));
  });
}

/** A base port with nine free ports after it, below the ephemeral range (outgoing connections cannot take them). */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await Promise.all(Array.from({ length: 9 }, async (_, i) => portFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no nine consecutive free ports between 20000 and 32000');
}

const pause = async (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` (which may throw) until it returns a value; the failure names the last error. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no value yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    await pause(everyMs);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

interface Stack {
  dir: string;
  conf: string;
  ports: { nginx: number; apps: number[]; redis: number[]; sentinels: number[] };
  daemon: ChildProcess;
  daemonExit: Promise<number | null>;
  daemonOutput: () => string;
}

let stack: Stack | undefined;
/** Why the stack could not be set up; every test fails with it (a failing beforeAll would only skip them). */
let setupError: Error | undefined;
let failed = false;

function current(): Stack {
  if (setupError !== undefined) throw setupError;
  if (stack === undefined) throw new Error('the stack did not start');
  return stack;
}

async function ctl(...args: string[]): Promise<{ code: number | undefined; out: string }> {
  const run = await execa(process.execPath, [CTL_BIN, '-c', current().conf, ...args], { reject: false, timeout: 60_000, all: true });
  return { code: run.exitCode, out: run.all };
}

interface ProgramStatus { readonly state: string; readonly pid: number }

async function status(): Promise<Map<string, ProgramStatus>> {
  const { out } = await ctl('status');
  const found = new Map<string, ProgramStatus>();
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+([A-Z]+)\s+(?:pid (\d+),)?/u.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) found.set(m[1], { state: m[2], pid: Number(m[3] ?? 0) });
  }
  return found;
}

async function runningPid(name: string, not?: number): Promise<number> {
  return eventually(`${name} RUNNING${not === undefined ? '' : ` with a pid other than ${not}`}`, async () => {
    const s = (await status()).get(name);
    return s?.state === 'RUNNING' && s.pid !== not ? s.pid : undefined;
  }, 60_000, 200);
}

async function withRedis<T>(port: number, use: (r: Redis) => Promise<T>, password: string | null = PASSWORD): Promise<T> {
  const client = new Redis({
    host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0,
    connectTimeout: 2000, commandTimeout: 3000, enableOfflineQueue: false,
    ...(password === null ? {} : { password }),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'mu').exec(info)?.[1]?.trim();
}

async function replication(port: number): Promise<string> {
  return withRedis(port, async (r) => r.info('replication'));
}

async function get(port: number, key: string): Promise<string | null> {
  return withRedis(port, async (r) => r.get(key));
}

/** The master's port by each sentinel's account. */
async function sentinelMasters(): Promise<number[]> {
  return Promise.all(current().ports.sentinels.map(async (port) => withRedis(port, async (r) => {
    const reply = await r.call('SENTINEL', 'get-master-addr-by-name', 'mymaster') as [string, string];
    return Number(reply[1]);
  }, null)));
}

async function agreedMaster(): Promise<number | undefined> {
  const masters = await sentinelMasters();
  return masters.every((m) => m === masters[0]) ? masters[0] : undefined;
}

/** Time from now until `port` answers AUTH + PING with PONG (polling a fresh connection). */
async function pongAfter(port: number, timeoutMs: number): Promise<void> {
  const auth = `*2\r\n$4\r\nAUTH\r\n$${PASSWORD.length}\r\n${PASSWORD}\r\n*1\r\n$4\r\nPING\r\n`;
  const attempt = async (): Promise<boolean> => new Promise((resolve) => {
    let reply = '';
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(auth));
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      if (reply.split('\r\n').length >= 3) done(reply.startsWith('+OK\r\n+PONG\r\n'));
    });
  });
  const deadline = Date.now() + timeoutMs;
  while (!(await attempt())) {
    if (Date.now() > deadline) throw new Error(`redis on ${port} did not answer PING within ${timeoutMs} ms`);
    await pause(2);
  }
}

interface Page { readonly status: number; readonly server: string | null; readonly user: string | null | undefined }

async function page(cookie: string): Promise<Page> {
  const res = await fetch(`http://127.0.0.1:${current().ports.nginx}/`, { headers: { cookie, accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  let user: string | null | undefined;
  try {
    user = (JSON.parse(body) as { user?: string | null }).user;
  } catch {
    user = undefined;
  }
  return { status: res.status, server: res.headers.get('x-server'), user };
}

/** Ten requests through nginx: every one sees `user`; returns which servers answered. */
async function tenRequests(cookie: string, user: string): Promise<Set<string>> {
  const servers = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const p = await page(cookie);
    expect(p, `request ${i + 1} through nginx`).toMatchObject({ status: 200, user });
    if (p.server !== null) servers.add(p.server);
  }
  return servers;
}

/** Pids of `pid` and all its descendants, from /proc. */
function familyOf(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat !== undefined) parents.set(stat.ppid, [...(parents.get(stat.ppid) ?? []), Number(entry)]);
  }
  const family = [pid];
  for (let i = 0; i < family.length; i++) family.push(...(parents.get(family[i] ?? -1) ?? []));
  return family;
}

/** Live processes whose command line names this instance's folder or one of its ports. */
function strays(): string[] {
  const { dir, ports } = current();
  const marks = [dir, ...[ports.nginx, ...ports.apps, ...ports.redis, ...ports.sentinels].map((p) => `127.0.0.1:${p}`),
    ...ports.apps.map((p) => `--port ${p}`)];
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = readText(`/proc/${entry}/cmdline`).replaceAll('\0', ' ');
    if (marks.some((m) => cmdline.includes(m)) && !isGone(Number(entry))) found.push(`${entry}: ${cmdline}`);
  }
  return found;
}

function logTails(): string {
  if (stack === undefined) return '';
  const dir = join(stack.dir, 'log');
  const files = existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
  return [join(stack.dir, 'supervisord.log'), ...files]
    .map((f) => `--- ${f}\n${readText(f).split('\n').slice(-15).join('\n')}`).join('\n');
}

// ---------------------------------------------------------------------------------------------

function launchDaemon(dir: string, conf: string): Pick<Stack, 'daemon' | 'daemonExit' | 'daemonOutput'> {
  const daemon = spawn(process.execPath, [DAEMON_BIN, '-c', conf, '-n'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  daemon.stdout.on('data', (d: Buffer) => (output += d.toString()));
  daemon.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const daemonExit = new Promise<number | null>((resolve) => daemon.once('exit', (code) => {
    resolve(code);
  }));
  return { daemon, daemonExit, daemonOutput: () => output };
}

/** Live processes whose command line (redis and sentinel retitle themselves `… 127.0.0.1:PORT`) names `port`. */
function processesOnPort(port: number): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/u.test(e) && !isGone(Number(e)))
    .filter((e) => readText(`/proc/${e}/cmdline`).replaceAll('\0', ' ').includes(`127.0.0.1:${port}`)).map(Number);
}

async function setUp(): Promise<void> {
  const missing = missingBinaries();
  if (missing.length > 0) {
    throw new Error(`the example stack needs ${missing.join(', ')}: apt-get install redis-server redis-sentinel nginx`
      + (process.env['CI'] === 'true' ? ' (CI=true: .ci/run must install them; this test is never skipped)' : ''));
  }
  const dir = mkdtempSync(join(tmpdir(), 'tss-stack-'));
  const base = await freeBasePort();
  const made = await execa(process.execPath, [join(ROOT, 'scripts', 'make-stack.mjs'), '--runtime', dir, '--base-port', String(base)]);
  const conf = made.stdout.trim();
  const ports = { nginx: base, apps: [base + 1, base + 2], redis: [base + 3, base + 4, base + 5], sentinels: [base + 6, base + 7, base + 8] };
  stack = { dir, conf, ports, ...launchDaemon(dir, conf) };
  console.log(`example stack in ${dir}: nginx ${ports.nginx}, apps ${ports.apps.join(',')}, redis ${ports.redis.join(',')}, sentinels ${ports.sentinels.join(',')}`);
}

beforeAll(async () => {
  try {
    await setUp();
  } catch (error) {
    setupError = error as Error;
  }
}, 60_000);

afterEach((context) => {
  if (context.task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  if (stack === undefined) return;
  const { daemon, dir } = stack;
  if (failed) console.log(`daemon output:\n${stack.daemonOutput()}\n${logTails()}`);
  if (daemon.exitCode === null && daemon.pid !== undefined) {
    // A test failed before `shutdown`: stop the daemon (it stops its children), then SIGKILL
    // whatever of its family is left -- only processes this file started.
    const family = familyOf(daemon.pid);
    daemon.kill('SIGTERM');
    await Promise.race([stack.daemonExit, pause(30_000)]);
    for (const pid of family) {
      if (!isGone(pid)) process.kill(pid, 'SIGKILL');
    }
  }
  if (!failed || process.env['TSSUP_KEEP_RUNTIME'] === undefined) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the example stack under tssupervisord', () => {
  let cookie = '';
  const user = 'alice';

  it('1. starts every program; replicas are linked to the master', async () => {
    const { ports } = current();
    await eventually('every program RUNNING', async () => {
      const s = await status();
      return [...PROGRAMS, LISTENER].every((p) => s.get(p)?.state === 'RUNNING') ? true : undefined;
    }, 90_000, 250);
    const shown = await ctl('status');
    expect(shown.code).toBe(0);
    for (const name of PROGRAMS) expect(shown.out).toMatch(new RegExp(`^${name}\\s+RUNNING\\s+pid \\d+, uptime`, 'mu'));
    for (const port of ports.redis.slice(1)) {
      await eventually(`replica ${port} master_link_status:up`, async () => {
        const info = await replication(port);
        return infoField(info, 'master_link_status') === 'up' && infoField(info, 'master_port') === String(ports.redis[0]) ? true : undefined;
      });
    }
    expect(infoField(await replication(ports.redis[0] ?? 0), 'connected_slaves')).toBe('2');
  }, TEST_MS);

  it('1b. came up in dependency order: each program spawned only after what it depends on was ready', () => {
    const log = readText(join(current().dir, 'supervisord.log')).split('\n');
    const first = (re: RegExp): number => log.findIndex((l) => re.test(l));
    for (const [dependent, dependencies] of Object.entries(DEPENDS_ON)) {
      const spawned = first(new RegExp(`spawned: '${dependent}' with pid`, 'u'));
      expect(spawned, `${dependent} spawned`).toBeGreaterThan(-1);
      for (const dependency of dependencies) {
        const ready = first(new RegExp(`success: ${dependency} entered RUNNING state, .* and is ready \\(`, 'u'));
        expect({ dependent, dependency, readyLine: ready > -1, readyBeforeSpawn: ready < spawned }).toEqual({ dependent, dependency, readyLine: true, readyBeforeSpawn: true });
      }
    }
  });

  it('1c. `start app_8081` returns once the app answers HTTP (ready=http), not when it was spawned', async () => {
    const port = current().ports.apps[0] ?? 0;
    expect((await ctl('stop', 'app_8081')).out).toContain('app_8081: stopped');
    const started = await ctl('start', 'app_8081');
    expect(started.out).toContain('app_8081: started');
    // No retry: the very first request after `started` must be served.
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
  }, TEST_MS);

  it('2. shares the session between the app servers behind nginx', async () => {
    const res = await eventually('login through nginx', async () => {
      const r = await fetch(`http://127.0.0.1:${current().ports.nginx}/login`, {
        method: 'POST', body: new URLSearchParams({ user }), headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000),
      });
      return r.status === 200 ? r : undefined;
    });
    const sid = /SID=([0-9a-f]+)/u.exec(res.headers.get('set-cookie') ?? '')?.[1];
    expect(sid).toBeDefined();
    cookie = `SID=${sid ?? ''}`;
    expect(await res.json()).toMatchObject({ user });
    expect([...await tenRequests(cookie, user)].sort()).toEqual(['app_8081', 'app_8082']);
  }, TEST_MS);

  it('3. restarts a killed app server; the user stays logged in', async () => {
    const before = await runningPid('app_8081');
    process.kill(before, 'SIGKILL');
    const after = await runningPid('app_8081', before);
    expect(after).not.toBe(before);
    // nginx may still skip the restarted server for fail_timeout (2 s): wait until it answers.
    await eventually('the restarted app_8081 to answer through nginx', async () => {
      const p = await page(cookie);
      expect(p).toMatchObject({ status: 200, user });
      return p.server === 'app_8081' ? true : undefined;
    });
    expect([...await tenRequests(cookie, user)].sort()).toEqual(['app_8081', 'app_8082']);
  }, TEST_MS);

  it('4a. restarts a kill -9ed master before the sentinels notice, without losing data', async () => {
    const { ports, dir } = current();
    const [master = 0, ...replicas] = ports.redis;
    const downAfterMs = Number(/down-after-milliseconds mymaster (\d+)/u.exec(readText(join(dir, 'sentinel', 'sentinel_26380.conf')))?.[1]);
    expect(downAfterMs).toBeGreaterThan(0);
    const key = `before-kill-${Date.now()}`;
    await withRedis(master, async (r) => {
      await r.set(key, 'survives');
      await r.call('WAIT', '2', '5000');
    });
    const pid = await runningPid('redisd_6380');
    const killedAt = performance.now();
    process.kill(pid, 'SIGKILL');
    await pongAfter(master, downAfterMs * 5);
    const backMs = Math.round(performance.now() - killedAt);
    console.log(`redis master back (PONG) ${backMs} ms after kill -9; sentinels' down-after-milliseconds is ${downAfterMs}`);
    expect(backMs).toBeLessThan(downAfterMs);
    const newPid = await runningPid('redisd_6380', pid);
    expect(newPid).not.toBe(pid);
    expect(readText(join(dir, 'supervisord.log'))).toMatch(/exited: redisd_6380 \(terminated by SIGKILL; not expected\)/u);
    // The crash history keeps that end: the signal, not expected, and what redis last wrote.
    const history = await ctl('history', 'redisd_6380');
    expect(history.code).toBe(0);
    expect(history.out).toContain(`pid ${pid}`);
    expect(history.out).toMatch(/SIGKILL/u);
    // A line of redis' own log (its stdout): `1234:M 02 Dec 2026 01:02:03.456 * ...`.
    expect(history.out).toMatch(/\d+:M \d{2} \w{3} \d{4} [\d:.]+ [*#.-] /u);
    // The event listener heard PROCESS_STATE_EXITED and raised the alert.
    const alert = `redisd_6380 EXITED unexpectedly (was RUNNING, pid ${pid})`;
    await eventually('the crash alert', () => (readText(join(dir, 'log', 'alerts.log')).includes(alert) ? true : undefined));
    expect(await get(master, key)).toBe('survives');
    for (const port of replicas) {
      await eventually(`replica ${port} linked again, with ${key}`, async () => {
        const info = await replication(port);
        return infoField(info, 'master_link_status') === 'up' && await get(port, key) === 'survives' ? true : undefined;
      });
    }
    // Measurement window: a failover would have begun by down-after-milliseconds (+ a margin).
    const waitMore = downAfterMs + 1500 - (performance.now() - killedAt);
    if (waitMore > 0) await pause(waitMore);
    expect(await sentinelMasters()).toEqual([master, master, master]);
    const sentinelLogs = ['26380', '26381', '26382'].map((p) => readText(join(dir, 'log', `sentinel_${p}.out.log`))).join('\n');
    expect(sentinelLogs).not.toMatch(/\+odown|\+switch-master/u);
    expect(infoField(await replication(master), 'role')).toBe('master');
  }, TEST_MS);

  it('4b. fails over when the master is stopped; the old master comes back as a replica', async () => {
    const { ports } = current();
    const [oldMaster = 0, preferred = 0] = ports.redis;
    const sid = cookie.slice('SID='.length);
    for (const port of ports.redis.slice(1)) {
      await eventually(`the session on replica ${port}`, async () => (await get(port, `session:${sid}`) !== null ? true : undefined));
    }
    const stoppedAt = performance.now();
    const stopped = await ctl('stop', 'redisd_6380');
    expect(stopped.out).toContain('redisd_6380: stopped');
    const newMaster = await eventually('the sentinels to agree on a new master', async () => {
      const m = await agreedMaster();
      return m !== undefined && m !== oldMaster ? m : undefined;
    }, 60_000, 200);
    console.log(`failover: sentinels promoted ${newMaster} ${Math.round(performance.now() - stoppedAt)} ms after 'stop redisd_6380'`);
    expect(newMaster).toBe(preferred); // replica-priority: 6381 before 6382
    expect(infoField(await replication(newMaster), 'role')).toBe('master');
    await eventually('the session through nginx after the failover', async () => {
      const p = await page(cookie);
      return p.status === 200 && p.user === user ? true : undefined;
    }, 60_000, 200);
    await eventually('both app servers to serve the session', async () => {
      const servers = await tenRequests(cookie, user);
      return servers.size === 2 ? true : undefined;
    }, 30_000, 200);
    const key = `after-failover-${Date.now()}`;
    await withRedis(newMaster, async (r) => r.set(key, 'written to the new master'));
    const started = await ctl('start', 'redisd_6380');
    expect(started.out).toContain('redisd_6380: started');
    await eventually('the old master to become a replica of the new one, with the new key', async () => {
      const info = await replication(oldMaster);
      return infoField(info, 'role') === 'slave' && infoField(info, 'master_port') === String(newMaster)
        && infoField(info, 'master_link_status') === 'up' && await get(oldMaster, key) === 'written to the new master' ? true : undefined;
    }, 90_000, 250);
  }, TEST_MS);

  it('4c. survives a kill -9 of tssupervisord: the next start stops the orphans first, so one redis per port, no data lost, topology intact', async () => {
    const { ports, dir, conf } = current();
    const master = await eventually('the current master', agreedMaster);
    const key = `before-daemon-kill-${Date.now()}`;
    await withRedis(master, async (r) => {
      await r.set(key, 'kept');
      await r.call('WAIT', '2', '5000');
    });
    const before = await status();
    const old = current().daemon;
    old.kill('SIGKILL');
    await current().daemonExit;
    // Nothing could stop them: every program lives on, unsupervised.
    for (const name of PROGRAMS) expect({ name, gone: isGone(before.get(name)?.pid ?? 0) }).toEqual({ name, gone: false });
    // ...but the event listener, whose stdin closed with the daemon: it ends, as a listener should.
    await eventually('the orphaned listener to exit at EOF', () => (isGone(before.get(LISTENER)?.pid ?? 0) ? true : undefined));

    const logStart = readText(join(dir, 'supervisord.log')).length;
    Object.assign(current(), launchDaemon(dir, conf));
    await eventually('every program RUNNING under the new daemon, none with its old pid', async () => {
      const s = await status();
      return PROGRAMS.every((p) => s.get(p)?.state === 'RUNNING' && s.get(p)?.pid !== before.get(p)?.pid) ? true : undefined;
    }, 90_000, 250);
    const log = readText(join(dir, 'supervisord.log')).slice(logStart);
    expect(log).toMatch(new RegExp(`ended without stopping its children; stopping ${PROGRAMS.length} left running`, 'u'));
    for (const name of PROGRAMS) {
      expect(log).toContain(`stopped: ${name} (pid ${before.get(name)?.pid}) of the previous daemon`);
      expect(isGone(before.get(name)?.pid ?? 0)).toBe(true);
    }
    expect(log).not.toMatch(/Address already in use|FATAL/u);
    for (const port of [...ports.redis, ...ports.sentinels]) expect({ port, pids: processesOnPort(port).length }).toEqual({ port, pids: 1 });
    // The sentinels were stopped before the redis servers (reverse priority): no failover.
    expect(await eventually('the sentinels to agree on a master', agreedMaster)).toBe(master);
    expect(await get(master, key)).toBe('kept');
    for (const port of ports.redis.filter((p) => p !== master)) {
      await eventually(`replica ${port} linked to ${master} again, with ${key}`, async () => {
        const info = await replication(port);
        return infoField(info, 'master_port') === String(master) && infoField(info, 'master_link_status') === 'up'
          && await get(port, key) === 'kept' ? true : undefined;
      }, 60_000, 250);
    }
  }, TEST_MS);

  it('4d. a hung replica (SIGSTOP) is restarted by its health check, stopped cleanly, and linked again', async () => {
    const { ports, dir } = current();
    const master = await eventually('the current master', agreedMaster);
    const victim = ports.redis[2] ?? 0;
    expect(master).not.toBe(victim);
    const logStart = readText(join(dir, 'supervisord.log')).length;
    const pid = await runningPid('redisd_6382');
    const stoppedAt = performance.now();
    process.kill(pid, 'SIGSTOP');
    // It still accepts connections (the kernel does) but never answers: the status says so first.
    await eventually('status to show the failing check', async () => {
      const shown = await ctl('status', 'redisd_6382');
      return /redisd_6382\s+RUNNING\s+pid \d+, uptime [\d:]+, unhealthy [12]\/3: /u.test(shown.out) ? true : undefined;
    }, 30_000, 200);
    const newPid = await runningPid('redisd_6382', pid);
    console.log(`SIGSTOPped replica restarted by its health check ${Math.round(performance.now() - stoppedAt)} ms after SIGSTOP`);
    const log = readText(join(dir, 'supervisord.log')).slice(logStart);
    expect(log).toMatch(/WARN unhealthy: redisd_6382 \(3\/3: exec 'redis-cli -p \d+ .*ping' timed out after 2 s\): restarting/u);
    // SIGCONT after the stop signal: redis saved and exited on SIGTERM, no SIGKILL was needed.
    expect(log).toMatch(/stopped: redisd_6382 \(exit status 0\)/u);
    expect(log).not.toMatch(/killing 'redisd_6382' \(\d+\) with SIGKILL/u);
    expect(isGone(pid)).toBe(true);
    expect(newPid).not.toBe(pid);
    await eventually('redisd_6382 linked again', async () => (infoField(await replication(victim), 'master_link_status') === 'up' ? true : undefined), 60_000, 250);
    // Its crash history tells the story: stopped for a failing health check, with its last lines.
    const history = await ctl('history', 'redisd_6382');
    expect(history.code).toBe(0);
    expect(history.out).toMatch(/unhealthy/u);
    expect(history.out).toContain(`pid ${pid}`);
  }, TEST_MS);

  it('5. operations: stop/start a replica, update with a new program, shutdown in reverse priority', async () => {
    const { ports, dir, daemon } = current();
    const master = await eventually('the current master', agreedMaster);
    const replicaCount = async (): Promise<number> => Number(infoField(await replication(master), 'connected_slaves'));
    expect(await replicaCount()).toBe(2);
    const victim = ports.redis[2] ?? 0;
    expect(master).not.toBe(victim);

    expect((await ctl('stop', 'redisd_6382')).out).toContain('redisd_6382: stopped');
    expect((await status()).get('redisd_6382')?.state).toBe('STOPPED');
    await eventually('the master to show one replica', async () => (await replicaCount() === 1 ? true : undefined));
    expect((await ctl('start', 'redisd_6382')).out).toContain('redisd_6382: started');
    await eventually('the master to show two replicas again', async () => (await replicaCount() === 2 ? true : undefined));
    await eventually('redisd_6382 linked', async () => (infoField(await replication(victim), 'master_link_status') === 'up' ? true : undefined));

    const before = await status();
    writeFileSync(join(dir, 'config.d', 'extra.ini'), [
      '; added while the stack runs, then `tssupervisorctl update`',
      '[program:extra]',
      `command=node ${join(ROOT, 'test', 'fixtures', 'sleep-forever.mjs')}`,
      'startsecs=1',
      `stdout_logfile=%(here)s/../log/extra.out.log`,
      '',
    ].join('\n'));
    const updated = await ctl('update');
    expect(updated.out.trim()).toBe('extra: added process group');
    await runningPid('extra');
    const after = await status();
    for (const name of PROGRAMS) expect({ name, ...after.get(name) }).toEqual({ name, state: 'RUNNING', pid: before.get(name)?.pid });

    const daemonPid = daemon.pid ?? 0;
    const family = familyOf(daemonPid);
    expect(family.length).toBeGreaterThan(PROGRAMS.length + 1); // + nginx's worker
    const logBefore = readText(join(dir, 'supervisord.log')).length;
    const down = await ctl('shutdown');
    expect(down.out).toContain('Shut down');
    await eventually('tssupervisord to exit', () => (daemon.exitCode !== null ? true : undefined), 60_000);
    expect(await current().daemonExit).toBe(0);
    const stoppedOrder = [...readText(join(dir, 'supervisord.log')).slice(logBefore).matchAll(/ stopped: (\S+) /gu)].map((m) => m[1] ?? '');
    expect(stoppedOrder.sort()).toEqual([...PROGRAMS, LISTENER, 'extra'].sort());
    const inOrder = [...readText(join(dir, 'supervisord.log')).slice(logBefore).matchAll(/ stopped: (\S+) /gu)].map((m) => PRIORITY[m[1] ?? ''] ?? 0);
    expect(inOrder).toEqual([...inOrder].sort((a, b) => b - a));
    for (const pid of family) await waitGone(pid, 10_000);
    expect(strays()).toEqual([]);
  }, TEST_MS);
});
