// healthcheck= through a real tssupervisord with real children: a check whose answers the test
// scripts (each try takes the next line of a file) restarts the process after exactly `retries`
// failures in a row, a pass in between resets the count, start_period failures don't count, and
// while it fails the status description says so, to the stock supervisorctl too. Plus the reasons
// each kind's try gives, against real sockets and commands.
import { execa } from 'execa';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCheck } from '../src/process/probes/index.js';
import type { ProbeRun } from '../src/process/probe.js';
import { CTL_BIN } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { isGone, readText, startDaemon, until } from './support/daemon-process.js';
import { freePort } from './support/ports.js';
import { FIXTURES } from './support/supervisor-harness.js';
import { tempDir } from './support/tmp.js';

async function run(file: string, args: string[]): Promise<string> {
  const r = await execa(file, args, { reject: false, timeout: 20_000 });
  return r.stdout + r.stderr;
}

/** A check script: try n answers the n-th line of `answers` (0 pass, 1 fail; past the end: pass) and logs itself in `tries`. */
function scriptedCheck(dir: string, answers: readonly number[]): string {
  writeFileSync(`${dir}/answers`, answers.map((a) => `${a}\n`).join(''));
  writeFileSync(`${dir}/tries`, '');
  writeFileSync(`${dir}/check.sh`, `n=$(wc -l < ${dir}/tries)
echo "$(date +%s%3N)" >> ${dir}/tries
a=$(sed -n "$((n + 1))p" ${dir}/answers)
exit \${a:-0}
`);
  return `/bin/sh ${dir}/check.sh`;
}

const tries = (dir: string): number[] => readText(`${dir}/tries`).split('\n').filter((l) => l !== '').map(Number);
const spawnedPids = (log: string): number[] => [...log.matchAll(/spawned: 'web' with pid (\d+)/gu)].map((m) => Number(m[1]));
/** Epoch ms of the first main-log line containing `text` (the log's `YYYY-MM-DD HH:MM:SS,mmm` stamp, local time). */
function loggedAt(log: string, text: string): number {
  const line = log.split('\n').find((l) => l.includes(text));
  const m = line === undefined ? null : /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})/u.exec(line);
  if (m === null) throw new Error(`no ${JSON.stringify(text)} in the log:\n${log}`);
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
}

/** A daemon in `dir` running `sections` after the controlled header, once `web` is RUNNING. */
async function daemonWith(dir: string, sections: string): Promise<{ conf: string; d: ReturnType<typeof startDaemon> }> {
  const conf = `${dir}/sup.conf`;
  writeFileSync(conf, `${controlledDaemonHeader(dir)}\n${sections}`);
  const d = startDaemon(['-c', conf, '-n'], dir, `${dir}/sup.log`);
  await d.waitForLog(/success: web entered RUNNING/u);
  return { conf, d };
}

describe('healthcheck= in a real daemon', () => {
  it('restarts after exactly `retries` failures in a row, and a pass between failures resets the count', async () => {
    const dir = tempDir();
    // fail fail pass | fail fail pass | fail fail fail -> restart at try 9, never at 3 or 6.
    const check = scriptedCheck(dir, [1, 1, 0, 1, 1, 0, 1, 1, 1]);
    const { d } = await daemonWith(dir, `[program:web]
command=/bin/sleep 1000
startsecs=1
healthcheck=exec:${check}
healthcheck_interval=0.2
healthcheck_timeout=2
healthcheck_retries=3
`);
    const line = await d.waitForLog(/unhealthy: web/u, 15_000);
    // The next run is RUNNING only 1 s (startsecs) after its spawn: no new try yet.
    const atRestart = tries(dir);
    expect(line).toMatch(new RegExp(`WARN unhealthy: web \\(3/3: exec '${check}' exited with status 1\\): restarting$`, 'u'));
    expect(atRestart).toHaveLength(9);
    // Start to start: the interval (the first one interval after RUNNING), never overlapping.
    const gaps = atRestart.slice(1).map((t, i) => t - (atRestart[i] ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(150);
    const log0 = readText(`${dir}/sup.log`);
    expect(atRestart[0]).toBeGreaterThanOrEqual(loggedAt(log0, 'success: web entered RUNNING') + 150);
    await d.waitForLog(/stopped: web \(terminated by SIGTERM\)/u);
    await until('a second spawn', () => (spawnedPids(readText(`${dir}/sup.log`)).length === 2 ? true : undefined));
    const [first, second] = spawnedPids(readText(`${dir}/sup.log`));
    expect(second).not.toBe(first);
    // The new run passes (past the script's end): it stays up.
    await until('tries of the new run', () => (tries(dir).length >= 12 ? true : undefined));
    const log = readText(`${dir}/sup.log`);
    expect(log.match(/unhealthy: web/gu)).toHaveLength(1);
    expect(spawnedPids(log)).toHaveLength(2);
  }, 30_000);

  it('failures within healthcheck_start_period do not count', async () => {
    const dir = tempDir();
    const check = scriptedCheck(dir, Array.from({ length: 40 }, () => 1));
    const { d } = await daemonWith(dir, `[program:web]
command=/bin/sleep 1000
startsecs=0
healthcheck=exec:${check}
healthcheck_interval=0.2
healthcheck_retries=2
healthcheck_start_period=1.5
`);
    await d.waitForLog(/unhealthy: web \(2\/2: /u, 15_000);
    const log = readText(`${dir}/sup.log`);
    const runningAt = loggedAt(log, 'success: web entered RUNNING');
    const all = tries(dir);
    // The tries that ended after the start period are the two that counted; all before it failed too.
    const counted = all.filter((t) => t >= runningAt + 1500 - 50);
    expect(all.length).toBeGreaterThanOrEqual(8);
    expect(counted.length).toBeLessThanOrEqual(3);
    expect(loggedAt(log, 'unhealthy: web')).toBeGreaterThanOrEqual(runningAt + 1500);
  }, 30_000);

  it('while failing, status says `unhealthy k/N: reason` to both ctls, and the JSON API carries health', async () => {
    const dir = tempDir();
    const port = await freePort();
    const check = scriptedCheck(dir, Array.from({ length: 1000 }, () => 1));
    const { conf } = await daemonWith(dir, `[inet_http_server]
port=127.0.0.1:${port}

[program:web]
command=/bin/sleep 1000
startsecs=0
healthcheck=exec:${check}
healthcheck_interval=0.3
healthcheck_retries=1000

[program:plain]
command=/bin/sleep 1000
startsecs=0
`);
    await until('two failed tries', () => (tries(dir).length >= 2 ? true : undefined));
    const reason = `exec '${check}' exited with status 1`;
    const pattern = new RegExp(`^web +RUNNING +pid \\d+, uptime \\d:\\d\\d:\\d\\d, unhealthy \\d+/1000: ${reason.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&')}$`, 'mu');
    expect(await run('/usr/bin/supervisorctl', ['-c', conf, 'status', 'web'])).toMatch(pattern);
    expect(await run(process.execPath, [CTL_BIN, '-c', conf, 'status', 'web'])).toMatch(pattern);
    expect(await run('/usr/bin/supervisorctl', ['-c', conf, 'status', 'plain'])).toMatch(/^plain +RUNNING +pid \d+, uptime \d:\d\d:\d\d$/u);

    const status = await (await fetch(`http://127.0.0.1:${port}/status`)).json() as { processes: { name: string; health: unknown }[] };
    const web = status.processes.find((p) => p.name === 'web');
    expect(web?.health).toMatchObject({ state: 'unhealthy', retries: 1000, lastError: reason });
    expect((web?.health as { failures: number }).failures).toBeGreaterThanOrEqual(2);
    expect(status.processes.find((p) => p.name === 'plain')?.health).toBeNull();
    const one = await (await fetch(`http://127.0.0.1:${port}/api/v1/processes/web`)).json() as { health: { lastCheckAt: number } };
    expect(one.health.lastCheckAt).toBeGreaterThan(Date.now() - 5000);
  }, 30_000);
});

describe('healthcheck= and a hung process', () => {
  it('a SIGSTOPped HTTP server times out its checks and is restarted (SIGTERM then SIGCONT), not left RUNNING', async () => {
    const dir = tempDir();
    const port = await freePort();
    const { d } = await daemonWith(dir, `[program:web]
command=${process.execPath} ${FIXTURES}http-ok.mjs ${port}
startsecs=0
healthcheck=http://127.0.0.1:${port}/healthz
healthcheck_interval=0.3
healthcheck_timeout=0.5
healthcheck_retries=2
stdout_logfile=${dir}/web.out
`);
    await until('the server listening', () => (readText(`${dir}/web.out`).includes('listening') ? true : undefined));
    const [pid] = spawnedPids(readText(`${dir}/sup.log`));
    if (pid === undefined) throw new Error('no pid');
    // It answers its checks for a while (a few intervals): no restart.
    expect((await fetch(`http://127.0.0.1:${port}/`)).ok).toBe(true);
    await until('three intervals', () => (Date.now() > loggedAt(readText(`${dir}/sup.log`), 'success: web entered RUNNING') + 1000 ? true : undefined));
    expect(readText(`${dir}/sup.log`)).not.toContain('unhealthy');
    process.kill(pid, 'SIGSTOP');
    const line = await d.waitForLog(/unhealthy: web/u, 10_000);
    expect(line).toContain(`WARN unhealthy: web (2/2: GET http://127.0.0.1:${port}/healthz timed out after 0.5 s): restarting`);
    await d.waitForLog(/stopped: web \(terminated by SIGTERM\)/u, 10_000);
    await until('a second spawn', () => (spawnedPids(readText(`${dir}/sup.log`)).length === 2 ? true : undefined));
    await d.waitForLog(/success: web entered RUNNING/u);
    // The stopped one is gone (SIGCONT let it act on SIGTERM), not left behind stopped.
    expect(isGone(pid)).toBe(true);
  }, 30_000);
});

describe('createCheck: each kind says why a try failed', () => {
  const probeRun: ProbeRun = { pid: process.pid, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd: null, watchOutput: () => () => undefined };
  const once = async (spec: Parameters<typeof createCheck>[0], timeoutMs = 2000): Promise<unknown> =>
    createCheck(spec)(probeRun, timeoutMs, new AbortController().signal);
  const listen = async (server: Server | ReturnType<typeof createTcpServer>): Promise<number> => {
    onTestFinished(() => { server.close(); });
    return new Promise((resolve) => {
      server.listen(0, '127.0.0.1', () => { resolve((server.address() as { port: number }).port); });
    });
  };

  // (A tcp: try that hangs needs a non-loopback address that drops SYNs; the timeout wording is
  // createCheck's own, the same for each kind, and shown below for http:// and exec:.)
  it('tcp: passes on a listener, and says the connect error without one', async () => {
    const port = await listen(createTcpServer());
    expect(await once({ kind: 'tcp', host: '127.0.0.1', port })).toEqual({ ok: true });
    const closed = await freePort();
    expect(await once({ kind: 'tcp', host: '127.0.0.1', port: closed })).toEqual({ ok: false, reason: `connect ECONNREFUSED 127.0.0.1:${closed}` });
  });

  it('http: 2xx passes, 503 says so, a server that hangs times out', async () => {
    let answer = 200;
    const port = await listen(createServer((req, res) => {
      if (req.url === '/hang') return;
      res.writeHead(answer).end();
    }));
    const url = `http://127.0.0.1:${port}/healthz`;
    expect(await once({ kind: 'http', url })).toEqual({ ok: true });
    answer = 503;
    expect(await once({ kind: 'http', url })).toEqual({ ok: false, reason: `GET ${url} answered 503` });
    expect(await once({ kind: 'http', url: `http://127.0.0.1:${port}/hang` }, 300))
      .toEqual({ ok: false, reason: `GET http://127.0.0.1:${port}/hang timed out after 0.3 s` });
    const closed = await freePort();
    expect(await once({ kind: 'http', url: `http://127.0.0.1:${closed}/` }))
      .toEqual({ ok: false, reason: `GET http://127.0.0.1:${closed}/: connect ECONNREFUSED 127.0.0.1:${closed}` });
  });

  it('exec: status 0 passes; an exit status, a missing command, a signal and a timeout are told apart', async () => {
    expect(await once({ kind: 'exec', command: 'true' })).toEqual({ ok: true });
    expect(await once({ kind: 'exec', command: 'sh -c "exit 3"' })).toEqual({ ok: false, reason: `exec 'sh -c "exit 3"' exited with status 3` });
    expect(await once({ kind: 'exec', command: 'no-such-command-here' })).toEqual({ ok: false, reason: "exec 'no-such-command-here': no such command" });
    expect(await once({ kind: 'exec', command: 'sh -c "kill -KILL $$"' })).toEqual({ ok: false, reason: `exec 'sh -c "kill -KILL $$"' was killed by SIGKILL` });
    expect(await once({ kind: 'exec', command: 'sleep 5' }, 300)).toEqual({ ok: false, reason: "exec 'sleep 5' timed out after 0.3 s" });
  });
});
