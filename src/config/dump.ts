// `tssupervisord --dump-config`: the resolved config as JSON, with supervisord's option names and
// units (seconds, bytes), so users and the parity suite can compare it with what supervisord does.

import { describeReady } from './ready-spec.js';
import type { ChannelConfig, DaemonConfig, LogTarget, ProcessConfig } from './schema.js';


function octalText(mode: number): string {
  return `0${mode.toString(8).padStart(2, '0')}`;
}

function logTargetText(target: LogTarget): string {
  return target.kind === 'auto' ? 'AUTO' : target.kind === 'none' ? 'NONE' : target.path;
}

function channel(prefix: 'stdout' | 'stderr', c: ChannelConfig): Record<string, unknown> {
  return {
    [`${prefix}_logfile`]: logTargetText(c.logfile),
    [`${prefix}_logfile_maxbytes`]: c.maxBytes,
    [`${prefix}_logfile_backups`]: c.backups,
    [`${prefix}_capture_maxbytes`]: c.captureMaxBytes,
    [`${prefix}_events_enabled`]: c.eventsEnabled,
    [`${prefix}_syslog`]: c.syslog,
  };
}

/** Keys of a process's dump that are tssupervisor extensions: supervisord's dump has none of them. */
export const EXTENSION_PROCESS_KEYS: readonly string[] = [
  'ready', 'ready_timeout', 'depends_on', 'healthcheck', 'healthcheck_interval', 'healthcheck_timeout',
  'healthcheck_retries', 'healthcheck_start_period', 'max_memory', 'backoff', 'backoff_max', 'fatal_retry_after',
];

/**
 * The keep-healthy extensions in supervisord's units (seconds, bytes), for --dump-config and
 * getAllConfigInfo alike. Always present (XML-RPC has no nil: no health check is `healthcheck: ''`).
 */
export function healthKeys(p: ProcessConfig): Record<string, string | number> {
  const h = p.health;
  return {
    healthcheck: h === null ? '' : describeReady(h.probe),
    ...(h === null ? {} : {
      healthcheck_interval: h.intervalMs / 1000, healthcheck_timeout: h.timeoutMs / 1000,
      healthcheck_retries: h.retries, healthcheck_start_period: h.startPeriodMs / 1000,
    }),
    max_memory: p.maxMemoryBytes, backoff: p.backoff, backoff_max: p.backoffMaxMs / 1000,
    fatal_retry_after: p.fatalRetryAfterMs / 1000,
  };
}

function processDump(p: ProcessConfig): Record<string, unknown> {
  return {
    name: p.name,
    group: p.group,
    command: p.command,
    directory: p.directory,
    umask: p.umask === null ? null : octalText(p.umask),
    priority: p.priority,
    autostart: p.autostart,
    autorestart: p.autorestart,
    startsecs: p.startMs / 1000,
    startretries: p.startRetries,
    exitcodes: p.exitCodes,
    stopsignal: p.stopSignal,
    stopwaitsecs: p.stopWaitMs / 1000,
    stopasgroup: p.stopAsGroup,
    killasgroup: p.killAsGroup,
    user: p.user,
    redirect_stderr: p.redirectStderr,
    ...channel('stdout', p.stdout),
    ...channel('stderr', p.stderr),
    environment: p.environment,
    serverurl: p.serverurl ?? 'AUTO',
    // Extensions only when used, so a supervisord config dumps exactly as supervisord's does.
    ...(p.ready === null ? {} : { ready: describeReady(p.ready), ready_timeout: p.readyTimeoutMs / 1000 }),
    // tssupervisor extensions (supervisord has no such keys).
    depends_on: p.dependsOn,
    ...healthKeys(p),
  };
}

/** The resolved config in supervisord's vocabulary (JSON-ready). */
export function dumpConfig(config: DaemonConfig): Record<string, unknown> {
  const s = config.supervisord;
  return {
    supervisord: {
      logfile: s.logfile,
      logfile_maxbytes: s.logfileMaxBytes,
      logfile_backups: s.logfileBackups,
      loglevel: s.loglevel,
      pidfile: s.pidfile,
      umask: octalText(s.umask),
      nodaemon: s.nodaemon,
      silent: s.silent,
      minfds: s.minfds,
      minprocs: s.minprocs,
      nocleanup: s.nocleanup,
      childlogdir: s.childlogdir,
      user: s.user,
      directory: s.directory,
      strip_ansi: s.stripAnsi,
      environment: s.environment,
      identifier: s.identifier,
    },
    groups: config.groups.map((g) => ({
      name: g.name,
      priority: g.priority,
      kind: g.kind,
      processes: g.processes.map(processDump),
    })),
  };
}
