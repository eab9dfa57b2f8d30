// GET /metrics from a real tssupervisord with real children: one RUNNING, one STOPPED, one that
// crashes and is restarted, one whose health check fails, one that prints a known number of bytes
// (its stdout logged nowhere). Scraped over the unix socket and over TCP with credentials, checked
// by Prometheus's own parser (promtool), and each figure against what the engine, the JSON API
// and /proc say.
import { execa } from 'execa';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { procStat } from '../src/host/proc-stat.js';
import { CTL_BIN } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { readText, startDaemon } from './support/daemon-process.js';
import { freePort } from './support/ports.js';
import { promtoolCheck } from './support/promtool.js';
import { FIXTURES } from './support/supervisor-harness.js';
import { tempDir } from './support/tmp.js';
import { waitUntilAsync } from './support/wait.js';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of an exposition (comments skipped), label values unescaped. */
function parseExposition(text: string): Sample[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((line) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/u.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key = '', raw = ''] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/gu)) {
      labels[key] = raw.replace(/\\(.)/gu, (_all, c: string) => (c === 'n' ? '\n' : c));
    }
    return { name: m[1] ?? '', labels, value: Number(m[3]) };
  });
}

/** The one sample of `name` whose labels include `labels` (undefined if none; a throw if several). */
function valueOf(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

async function overUnix(socketPath: string, path: string): Promise<{ status: number | undefined; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => { resolve({ status: res.statusCode, type: res.headers['content-type'], body }); });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Epoch seconds at which `pid` started, from /proc (boot time + its start in clock ticks). */
function procStartSeconds(pid: number): number {
  const btime = Number(/^btime (\d+)$/mu.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
  return btime + Number(procStat(pid)?.startTime) / 100;
}

const STATES = ['STOPPED', 'STARTING', 'RUNNING', 'BACKOFF', 'STOPPING', 'EXITED', 'FATAL', 'UNKNOWN'];
const PROGRAMS = ['running', 'stopped', 'crasher', 'sick', 'printer'];

describe('GET /metrics in a real daemon', () => {
  it('gives every process and the daemon, valid for promtool, matching the engine over the unix socket and TCP', async () => {
    const dir = tempDir();
    const port = await freePort();
    writeFileSync(`${dir}/tries`, '');
    writeFileSync(`${dir}/check.sh`, `echo x >> ${dir}/tries\nexit 1\n`);
    const conf = `${dir}/sup.conf`;
    writeFileSync(conf, `${controlledDaemonHeader(dir)}
[inet_http_server]
port=127.0.0.1:${port}
username=user
password=secret

[program:running]
command=${process.execPath} ${FIXTURES}sleep-forever.mjs
startsecs=0

[program:stopped]
command=/bin/sleep 1000
autostart=false

[program:crasher]
command=/bin/sh -c "sleep 0.3; exit 3"
startsecs=0
autorestart=unexpected

[program:sick]
command=/bin/sleep 1000
startsecs=0
healthcheck=exec:/bin/sh ${dir}/check.sh
healthcheck_interval=0.2
healthcheck_retries=1000

[program:printer]
command=${process.execPath} ${FIXTURES}write-chunks.mjs repeat:1:x:1234 repeat:2:y:567 wait
startsecs=0
stdout_logfile=NONE
stderr_logfile=${dir}/printer.err
`);
    const d = startDaemon(['-c', conf, '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/success: printer entered RUNNING/u);
    const socket = `${dir}/s.sock`;
    const scrapeUnix = async (): Promise<Sample[]> => {
      const res = await overUnix(socket, '/metrics');
      expect(res.status).toBe(200);
      expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await promtoolCheck(res.body)).toEqual({ exitCode: 0, output: '' });
      return parseExposition(res.body);
    };
    const p = (name: string): Record<string, string> => ({ group: name, name });

    // Wait for the facts to be there: a restart after a crash, two failed tries, every byte read.
    const samples = await waitUntilAsync(async () => {
      const s = await scrapeUnix();
      const ready = (valueOf(s, 'tssupervisor_process_restarts_total', p('crasher')) ?? 0) >= 1
        && (valueOf(s, 'tssupervisor_process_health_check_failures_total', p('sick')) ?? 0) >= 2
        && valueOf(s, 'tssupervisor_process_log_bytes_total', { ...p('printer'), channel: 'stdout' }) === 1234
        && valueOf(s, 'tssupervisor_process_log_bytes_total', { ...p('printer'), channel: 'stderr' }) === 567;
      return ready ? s : undefined;
    }, 20_000, 'a crash and restart, failed health tries and the printer\'s bytes');
    const info = await (await fetch(`http://127.0.0.1:${port}/api/v1/processes`, { headers: { authorization: `Basic ${Buffer.from('user:secret').toString('base64')}` } }))
      .json() as { name: string; statename: string; pid: number; start: number; restarts: number; memory: number | null; health: { failures: number } | null }[];
    const infoOf = (name: string): (typeof info)[number] => {
      const found = info.find((i) => i.name === name);
      if (found === undefined) throw new Error(`no ${name} in ${JSON.stringify(info)}`);
      return found;
    };

    // State gauges: one per state name, exactly one of them 1, the state the engine says.
    for (const name of PROGRAMS) {
      const states = samples.filter((s) => s.name === 'tssupervisor_process_state' && s.labels.name === name);
      expect(states.map((s) => s.labels.state).sort()).toEqual([...STATES].sort());
      expect(states.filter((s) => s.value === 1)).toHaveLength(1);
    }
    for (const name of ['running', 'stopped', 'sick', 'printer']) {
      expect(valueOf(samples, 'tssupervisor_process_state', { ...p(name), state: infoOf(name).statename })).toBe(1);
    }
    expect(infoOf('stopped').statename).toBe('STOPPED');
    expect(valueOf(samples, 'tssupervisor_process_up', p('running'))).toBe(1);
    expect(valueOf(samples, 'tssupervisor_process_up', p('stopped'))).toBe(0);

    // Start time: the spawn of the current pid (as getProcessInfo's start, and as /proc has it).
    const runningStart = valueOf(samples, 'tssupervisor_process_start_time_seconds', p('running')) ?? 0;
    expect(Math.floor(runningStart)).toBe(infoOf('running').start);
    expect(Math.abs(runningStart - procStartSeconds(infoOf('running').pid))).toBeLessThan(1.5);
    expect(valueOf(samples, 'tssupervisor_process_start_time_seconds', p('stopped'))).toBe(0);

    // The crash loop: each restart follows an unexpected exit (code 3), none expected.
    const restarts = valueOf(samples, 'tssupervisor_process_restarts_total', p('crasher')) ?? 0;
    expect(valueOf(samples, 'tssupervisor_process_exits_total', { ...p('crasher'), expected: 'false' })).toBeGreaterThanOrEqual(restarts);
    expect(valueOf(samples, 'tssupervisor_process_exits_total', { ...p('crasher'), expected: 'true' })).toBe(0);
    expect(valueOf(samples, 'tssupervisor_process_last_exit_code', p('crasher'))).toBe(3);
    expect(valueOf(samples, 'tssupervisor_process_restarts_total', p('running'))).toBe(0);
    expect(valueOf(samples, 'tssupervisor_process_exits_total', { ...p('running'), expected: 'false' })).toBe(0);
    expect(valueOf(samples, 'tssupervisor_process_last_exit_code', p('running'))).toBeUndefined();
    expect(infoOf('crasher').restarts).toBeGreaterThanOrEqual(restarts);
    expect(infoOf('running').restarts).toBe(0);

    // Memory and CPU of live children only.
    const rss = valueOf(samples, 'tssupervisor_process_resident_memory_bytes', p('running')) ?? 0;
    expect(rss).toBeGreaterThan(1024 * 1024);
    expect(rss).toBeLessThan(1024 ** 3);
    expect(valueOf(samples, 'tssupervisor_process_cpu_seconds_total', p('running'))).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'tssupervisor_process_resident_memory_bytes', p('stopped'))).toBeUndefined();
    expect(valueOf(samples, 'tssupervisor_process_cpu_seconds_total', p('stopped'))).toBeUndefined();
    expect(infoOf('running').memory).toBeGreaterThan(1024 * 1024);
    expect(infoOf('stopped').memory).toBeNull();

    // Health: failed tries counted, no more than the check has run; no series without a check.
    const failures = valueOf(samples, 'tssupervisor_process_health_check_failures_total', p('sick')) ?? 0;
    expect(failures).toBeLessThanOrEqual(infoOf('sick').health?.failures ?? 0);
    expect(failures).toBeLessThanOrEqual(readText(`${dir}/tries`).split('\n').filter((l) => l !== '').length);
    expect(valueOf(samples, 'tssupervisor_process_health_check_failures_total', p('running'))).toBeUndefined();

    // Bytes read from the pipes: the printer's 1234 + 567 (stdout to NONE), and stderr's all in its file.
    expect(statSync(`${dir}/printer.err`).size).toBe(567);
    expect(valueOf(samples, 'tssupervisor_process_log_bytes_total', { ...p('running'), channel: 'stdout' })).toBe(`READY ${infoOf('running').pid}\n`.length);

    // The daemon's own.
    expect(valueOf(samples, 'tssupervisor_daemon_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(valueOf(samples, 'tssupervisor_daemon_open_fds')).toBeGreaterThan(5);
    expect(valueOf(samples, 'tssupervisor_daemon_uptime_seconds')).toBeGreaterThan(0);
    expect(valueOf(samples, 'tssupervisor_daemon_cpu_seconds_total', { mode: 'user' })).toBeGreaterThan(0);
    expect(valueOf(samples, 'tssupervisor_daemon_config_reloads_total')).toBe(0);

    // A reread is a config reload. The event-loop delay is there once the monitor the first
    // scrape started has sampled (once a second).
    await execa(process.execPath, [CTL_BIN, '-c', conf, 'reread'], { timeout: 20_000 });
    const later = await waitUntilAsync(async () => {
      const s = await scrapeUnix();
      return valueOf(s, 'tssupervisor_daemon_event_loop_lag_max_seconds') === undefined ? undefined : s;
    }, 5000, 'the event-loop delay');
    expect(valueOf(later, 'tssupervisor_daemon_config_reloads_total')).toBe(1);
    expect(valueOf(later, 'tssupervisor_daemon_event_loop_lag_max_seconds')).toBeLessThan(5);
    expect(valueOf(later, 'tssupervisor_daemon_event_loop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);

    // Over TCP: 401 without credentials (or with wrong ones), the same text with them.
    const url = `http://127.0.0.1:${port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Basic ${Buffer.from('user:wrong').toString('base64')}` } })).status).toBe(401);
    const tcp = await fetch(url, { headers: { authorization: `Basic ${Buffer.from('user:secret').toString('base64')}` } });
    expect(tcp.status).toBe(200);
    const tcpText = await tcp.text();
    expect(await promtoolCheck(tcpText)).toEqual({ exitCode: 0, output: '' });
    const overTcp = parseExposition(tcpText);
    expect(valueOf(overTcp, 'tssupervisor_process_up', p('running'))).toBe(1);
    expect(valueOf(overTcp, 'tssupervisor_process_log_bytes_total', { ...p('printer'), channel: 'stderr' })).toBe(567);
  }, 60_000);

  it('metrics_auth=false opens /metrics alone on that TCP server, with a warning; everything else still asks', async () => {
    const dir = tempDir();
    const port = await freePort();
    const conf = `${dir}/sup.conf`;
    writeFileSync(conf, `${controlledDaemonHeader(dir)}
[inet_http_server]
port=127.0.0.1:${port}
username=user
password=secret
metrics_auth=false

[program:running]
command=/bin/sleep 1000
startsecs=0
`);
    const d = startDaemon(['-c', conf, '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/success: running entered RUNNING/u);
    expect(readText(`${dir}/sup.log`)).toMatch(/WARN Server 'inet_http_server' serves \/metrics without authentication \(metrics_auth=false\)/u);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(await promtoolCheck(text)).toEqual({ exitCode: 0, output: '' });
    expect(valueOf(parseExposition(text), 'tssupervisor_process_up', { group: 'running', name: 'running' })).toBe(1);
    for (const path of ['/status', '/api/v1/processes', '/metrics/']) expect((await fetch(`http://127.0.0.1:${port}${path}`)).status, path).toBe(401);
  }, 30_000);
});
