import { createHash } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FakeControlApi } from '../../test/support/fake-control-api.js';
import { promtoolCheck } from '../../test/support/promtool.js';
import type { MetricsSnapshot, ProcessMetrics } from '../api/metrics-snapshot.js';
import { buildServer } from './app.js';
import { escapeLabelValue, formatValue, METRICS_CONTENT_TYPE, renderMetrics } from './metrics.js';

const row = (over: Partial<ProcessMetrics> = {}): ProcessMetrics => ({
  group: 'web', name: 'web', state: 'RUNNING', startTimeSeconds: 1_700_000_000.25, restarts: 2, exitsExpected: 1, exitsUnexpected: 3,
  lastExitCode: 3, residentBytes: 123_456, cpuSeconds: 1.5, healthCheckFailures: 4, logBytesStdout: 10, logBytesStderr: 0, ...over,
});

const SNAPSHOT: MetricsSnapshot = {
  processes: [
    row(),
    // Never started: no exit code, no child, no health check.
    row({ group: 'workers', name: 'worker_0', state: 'STOPPED', startTimeSeconds: 0, restarts: 0, exitsExpected: 0, exitsUnexpected: 0,
      lastExitCode: null, residentBytes: null, cpuSeconds: null, healthCheckFailures: null }),
    // Names a label value must escape.
    row({ group: 'odd"\\group', name: 'a\nb', state: 'FATAL', residentBytes: null, cpuSeconds: null }),
  ],
  daemon: {
    residentBytes: 60_000_000, heapUsedBytes: 9_000_000, cpuUserSeconds: 1.25, cpuSystemSeconds: 0.5,
    eventLoopLag: { mean: 0.0001, max: 0.02, p99: 0.001 }, openFds: 42, startTimeSeconds: 1_700_000_000, uptimeSeconds: 12.5, configReloads: 1,
  },
};

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('renderMetrics', () => {
  it('is valid exposition text with no lint problems for promtool', async () => {
    const text = renderMetrics(SNAPSHOT);
    expect(await promtoolCheck(text)).toEqual({ exitCode: 0, output: '' });
    expect(await promtoolCheck(renderMetrics({ ...SNAPSHOT, processes: [], daemon: { ...SNAPSHOT.daemon, eventLoopLag: null } }))).toEqual({ exitCode: 0, output: '' });
  });

  it('promtool does catch a problem (the check can fail)', async () => {
    const broken = `${renderMetrics(SNAPSHOT)}# TYPE bad_counter counter\nbad_counter 1\n`;
    const result = await promtoolCheck(broken);
    expect(result.output).toMatch(/bad_counter/u);
  });

  it('has one state gauge per state name, exactly one of them 1, and each figure of each process', () => {
    const lines = renderMetrics(SNAPSHOT).split('\n');
    const states = lines.filter((l) => l.startsWith('tssupervisor_process_state{group="web",name="web",'));
    expect(states).toHaveLength(8);
    expect(states.filter((l) => l.endsWith(' 1'))).toEqual(['tssupervisor_process_state{group="web",name="web",state="RUNNING"} 1']);
    for (const line of [
      'tssupervisor_process_up{group="web",name="web"} 1',
      'tssupervisor_process_up{group="workers",name="worker_0"} 0',
      'tssupervisor_process_start_time_seconds{group="web",name="web"} 1700000000.25',
      'tssupervisor_process_restarts_total{group="web",name="web"} 2',
      'tssupervisor_process_exits_total{group="web",name="web",expected="true"} 1',
      'tssupervisor_process_exits_total{group="web",name="web",expected="false"} 3',
      'tssupervisor_process_last_exit_code{group="web",name="web"} 3',
      'tssupervisor_process_resident_memory_bytes{group="web",name="web"} 123456',
      'tssupervisor_process_cpu_seconds_total{group="web",name="web"} 1.5',
      'tssupervisor_process_health_check_failures_total{group="web",name="web"} 4',
      'tssupervisor_process_log_bytes_total{group="web",name="web",channel="stdout"} 10',
      'tssupervisor_process_log_bytes_total{group="web",name="web",channel="stderr"} 0',
      'tssupervisor_process_state{group="odd\\"\\\\group",name="a\\nb",state="FATAL"} 1',
      'tssupervisor_daemon_cpu_seconds_total{mode="user"} 1.25',
      'tssupervisor_daemon_open_fds 42',
      'tssupervisor_daemon_config_reloads_total 1',
      'tssupervisor_daemon_event_loop_lag_max_seconds 0.02',
    ]) expect(lines).toContain(line);
    // What a process does not have is left out, not written as 0.
    expect(lines.filter((l) => l.includes('name="worker_0"') && /last_exit_code|resident_memory|cpu_seconds|health_check/u.test(l))).toEqual([]);
  });

  it('escapes label values and formats the special floats as Go does', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect([NaN, Infinity, -Infinity, 0.5, 3].map(formatValue)).toEqual(['NaN', '+Inf', '-Inf', '0.5', '3']);
  });
});

describe('GET /metrics', () => {
  it('is behind the basic auth of every route, and shares the JSON API with restarts and memory', async () => {
    let scrapes = 0;
    const app = buildServer({
      api: new FakeControlApi(), follow: { process: () => null, main: () => null },
      credentials: { username: 'user', password: `{SHA}${createHash('sha1').update('123').digest('hex')}` },
      autostartNames: () => [],
      metrics: async () => {
        scrapes++;
        return Promise.resolve(SNAPSHOT);
      },
      processExtras: (namespec) => ({ restarts: namespec.length, memory: namespec === 'web' ? 4096 : null }),
    });
    onTestFinished(async () => app.close());
    const refused = await app.inject({ method: 'GET', url: '/metrics' });
    expect(refused.statusCode).toBe(401);
    expect(scrapes).toBe(0);
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: basic('user', '123') } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(METRICS_CONTENT_TYPE);
    expect(res.body).toBe(renderMetrics(SNAPSHOT));
    const all = (await app.inject({ method: 'GET', url: '/api/v1/processes', headers: { authorization: basic('user', '123') } }))
      .json<{ name: string; restarts: number; memory: number | null }[]>();
    expect(all.map((p) => [p.name, p.restarts, p.memory])).toEqual([['web', 3, 4096], ['worker_0', 16, null], ['worker_1', 16, null], ['cron', 4, null]]);
    const one = await app.inject({ method: 'GET', url: '/api/v1/processes/web', headers: { authorization: basic('user', '123') } });
    expect(one.json()).toMatchObject({ name: 'web', restarts: 3, memory: 4096 });
  });

  it('with metricsOpen (metrics_auth=false), /metrics alone needs no credentials', async () => {
    const app = buildServer({
      api: new FakeControlApi(), follow: { process: () => null, main: () => null },
      credentials: { username: 'user', password: '123' }, autostartNames: () => [],
      metrics: async () => Promise.resolve(SNAPSHOT), metricsOpen: true,
    });
    onTestFinished(async () => app.close());
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics?x=1' })).statusCode).toBe(200);
    for (const url of ['/metrics/', '/metricsx', '/api/v1/processes', '/status']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
    }
    expect((await app.inject({ method: 'POST', url: '/metrics' })).statusCode).toBe(401);
  });

  it('is absent without a metrics source, and a failed sample is a 500 told to onError', async () => {
    const errors: string[] = [];
    const plain = buildServer({ api: new FakeControlApi(), follow: { process: () => null, main: () => null }, credentials: null, autostartNames: () => [] });
    onTestFinished(async () => plain.close());
    expect((await plain.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    expect((await plain.inject({ method: 'GET', url: '/api/v1/processes/web' })).json()).toMatchObject({ restarts: 0, memory: null });
    const failing = buildServer({
      api: new FakeControlApi(), follow: { process: () => null, main: () => null }, credentials: null, autostartNames: () => [],
      metrics: async () => Promise.reject(new Error('proc on fire')),
      onError: (message) => { errors.push(message); },
    });
    onTestFinished(async () => failing.close());
    expect((await failing.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(500);
    expect(errors.join('\n')).toContain('proc on fire');
  });
});
