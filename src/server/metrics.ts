// GET /metrics: Prometheus's text exposition format (0.0.4), written by hand from a
// MetricsSnapshot. Not prom-client: importing it costs ~7.3 MB of RSS under the daemon's V8 flags,
// and its registry's series for 1000 programs another ~8 MB of heap kept between scrapes (issue
// 13's budget is 62 MB for the idle daemon, ~5 MB above today); this text, built per scrape and
// let go, is ~1.2 MB of garbage at 1000 programs and renders 10x faster (README, Metrics).
// Behind the same authentication as every other route (app.ts's onRequest hook).

import type { FastifyInstance } from 'fastify';
import { METRIC_PROCESS_STATES, type MetricsSnapshot, type ProcessMetrics } from '../api/metrics-snapshot.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type MetricType = 'gauge' | 'counter';

/** A label value as the format quotes it: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/gu, '\\\\').replace(/"/gu, '\\"').replace(/\n/gu, '\\n');
}

/** A sample value: Go's float text for the specials, JavaScript's shortest round-trip otherwise. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Collects one family at a time: HELP and TYPE once, then its samples. */
class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: MetricType, help: string): void {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/gu, '\\\\').replace(/\n/gu, '\\n')}`, `# TYPE ${name} ${type}`);
  }

  sample(name: string, labels: string, value: number): void {
    this.lines.push(labels === '' ? `${name} ${formatValue(value)}` : `${name}{${labels}} ${formatValue(value)}`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

interface ProcessFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** The samples of one process: [extra labels ('' for none), value]; none to leave it out. */
  readonly samples: (p: ProcessMetrics) => readonly (readonly [string, number])[];
}

const one = (value: number | null): readonly (readonly [string, number])[] => (value === null ? [] : [['', value]]);

const PROCESS_FAMILIES: readonly ProcessFamily[] = [
  {
    name: 'tssupervisor_process_state', type: 'gauge', help: 'The process state: 1 for the state it is in, 0 for the others.',
    samples: (p) => METRIC_PROCESS_STATES.map((s) => [`state="${s}"`, p.state === s ? 1 : 0] as const),
  },
  { name: 'tssupervisor_process_up', type: 'gauge', help: '1 while the process is RUNNING, else 0.', samples: (p) => one(p.state === 'RUNNING' ? 1 : 0) },
  { name: 'tssupervisor_process_start_time_seconds', type: 'gauge', help: 'When the process was last spawned, epoch seconds (0: never).', samples: (p) => one(p.startTimeSeconds) },
  { name: 'tssupervisor_process_restarts_total', type: 'counter', help: 'Spawns after the first one.', samples: (p) => one(p.restarts) },
  {
    name: 'tssupervisor_process_exits_total', type: 'counter', help: 'Exits of the process on its own, by whether the exit code was expected (exitcodes=); an exit while STARTING is unexpected.',
    samples: (p) => [['expected="true"', p.exitsExpected], ['expected="false"', p.exitsUnexpected]],
  },
  { name: 'tssupervisor_process_last_exit_code', type: 'gauge', help: 'The exit code of the last end of the process (-1: killed by a signal).', samples: (p) => one(p.lastExitCode) },
  { name: 'tssupervisor_process_resident_memory_bytes', type: 'gauge', help: 'Resident memory of the process and its descendants, bytes.', samples: (p) => one(p.residentBytes) },
  { name: 'tssupervisor_process_cpu_seconds_total', type: 'counter', help: 'User and system CPU time of the current child, seconds.', samples: (p) => one(p.cpuSeconds) },
  { name: 'tssupervisor_process_health_check_failures_total', type: 'counter', help: 'Failed health check tries (healthcheck=).', samples: (p) => one(p.healthCheckFailures) },
  {
    name: 'tssupervisor_process_log_bytes_total', type: 'counter', help: 'Bytes the process wrote to its stdout / stderr pipe (read by the daemon, whatever its logfile).',
    samples: (p) => [['channel="stdout"', p.logBytesStdout], ['channel="stderr"', p.logBytesStderr]],
  },
];

/** The snapshot as the text exposition format. Pure. */
export function renderMetrics(snapshot: MetricsSnapshot): string {
  const out = new Exposition();
  const labelsOf = snapshot.processes.map((p) => `group="${escapeLabelValue(p.group)}",name="${escapeLabelValue(p.name)}"`);
  for (const family of PROCESS_FAMILIES) {
    const rows = snapshot.processes.map((p) => family.samples(p));
    if (!rows.some((r) => r.length > 0)) continue;
    out.family(family.name, family.type, family.help);
    rows.forEach((samples, i) => {
      for (const [extra, value] of samples) out.sample(family.name, extra === '' ? labelsOf[i] ?? '' : `${labelsOf[i] ?? ''},${extra}`, value);
    });
  }
  const d = snapshot.daemon;
  const daemon = (name: string, type: MetricType, help: string, value: number): void => {
    out.family(name, type, help);
    out.sample(name, '', value);
  };
  daemon('tssupervisor_daemon_resident_memory_bytes', 'gauge', "The daemon's resident memory, bytes.", d.residentBytes);
  daemon('tssupervisor_daemon_heap_used_bytes', 'gauge', "The daemon's V8 heap in use, bytes.", d.heapUsedBytes);
  out.family('tssupervisor_daemon_cpu_seconds_total', 'counter', "The daemon's own CPU time, seconds, by mode.");
  out.sample('tssupervisor_daemon_cpu_seconds_total', 'mode="user"', d.cpuUserSeconds);
  out.sample('tssupervisor_daemon_cpu_seconds_total', 'mode="system"', d.cpuSystemSeconds);
  if (d.eventLoopLag !== null) {
    daemon('tssupervisor_daemon_event_loop_lag_seconds', 'gauge', 'Mean event-loop delay since the previous scrape, seconds.', d.eventLoopLag.mean);
    daemon('tssupervisor_daemon_event_loop_lag_max_seconds', 'gauge', 'Largest event-loop delay since the previous scrape, seconds.', d.eventLoopLag.max);
    daemon('tssupervisor_daemon_event_loop_lag_p99_seconds', 'gauge', '99th percentile of the event-loop delay since the previous scrape, seconds.', d.eventLoopLag.p99);
  }
  daemon('tssupervisor_daemon_open_fds', 'gauge', 'File descriptors the daemon has open.', d.openFds);
  daemon('tssupervisor_daemon_start_time_seconds', 'gauge', 'When the daemon started, epoch seconds.', d.startTimeSeconds);
  daemon('tssupervisor_daemon_uptime_seconds', 'gauge', 'How long the daemon has been running, seconds.', d.uptimeSeconds);
  daemon('tssupervisor_daemon_config_reloads_total', 'counter', 'Times the config file was read again (reread, update, reload, SIGHUP).', d.configReloads);
  return out.text();
}

/** Concurrent scrapes get the same snapshot (the source shares the sample in flight): rendered once. */
const rendered = new WeakMap<MetricsSnapshot, string>();

function renderOnce(snapshot: MetricsSnapshot): string {
  let text = rendered.get(snapshot);
  if (text === undefined) {
    text = renderMetrics(snapshot);
    rendered.set(snapshot, text);
  }
  return text;
}

/** GET /metrics, rendering what `source` samples (it shares one sample among concurrent scrapes). */
export function registerMetricsRoute(app: FastifyInstance, source: () => Promise<MetricsSnapshot>, onError?: (message: string) => void): void {
  app.get('/metrics', async (_request, reply) => {
    let text: string;
    try {
      text = renderOnce(await source());
    } catch (error) {
      onError?.(`metrics: ${(error as Error).stack ?? String(error)}`);
      return reply.code(500).type('text/plain').send('metrics could not be sampled\n');
    }
    return reply.type(METRICS_CONTENT_TYPE).send(text);
  });
}
