// [program:x] (and the program options of [eventlistener:x] / [fcgi-program:x]) -> one
// ProcessConfig per process_num. Mirrors supervisor/options.py _processes_from_section, including
// which options are read once per section and which are expanded per process.

import type { Expansions } from './expand.js';
import type { HostFacts } from './host.js';
import { existingDirPath } from './paths.js';
import { pyStrip } from './python-text.js';
import { backoffPolicy, healthSpec, seconds } from './health-spec.js';
import { atLeastOne, readySpec, readyTimeout } from './ready-spec.js';
import { userEntry } from './users.js';
import type { SectionReader } from './section-reader.js';
import type { ChannelConfig, HealthConfig, LogTarget, ProcessConfig, ProgramKind } from './schema.js';
import {
  autorestart, boolean, byteSize, environment, exitCodes, integer, listOfStrings, octal, processName, signal, ValueProblem,
} from './values.js';

export interface ProgramContext {
  readonly host: HostFacts;
  /** Section-independent expansions: ENV_* of the daemon plus [supervisord] environment. */
  readonly envExpansions: Expansions;
  readonly supervisordEnv: Readonly<Record<string, string>>;
  readonly stripAnsi: boolean;
}

/**
 * supervisord builds every process of `numprocs=99999999999` and never finishes reading the
 * config; ten thousand processes in one section is beyond any real use, so more is a config error.
 */
const MAX_NUMPROCS = 10_000;

const HEALTH_KEYS = ['healthcheck', 'healthcheck_interval', 'healthcheck_timeout', 'healthcheck_retries', 'healthcheck_start_period'];

export const PROGRAM_KEYS: readonly string[] = [
  'command', 'process_name', 'numprocs', 'numprocs_start', 'priority', 'autostart', 'startsecs', 'startretries',
  'autorestart', 'exitcodes', 'stopsignal', 'stopwaitsecs', 'stopasgroup', 'killasgroup', 'user', 'redirect_stderr',
  'environment', 'directory', 'umask', 'serverurl',
  // tssupervisor extensions (supervisord ignores keys it does not know).
  'ready', 'ready_timeout', 'depends_on', ...HEALTH_KEYS, 'max_memory', 'backoff', 'backoff_max', 'fatal_retry_after',
  ...['stdout', 'stderr'].flatMap((c) => ['logfile', 'logfile_maxbytes', 'logfile_backups', 'capture_maxbytes',
    'events_enabled', 'syslog', 'logfile_timestamps'].map((k) => `${c}_${k}`)),
];

type Once = { readonly expansions: Record<string, string | number> };

/** healthcheck= and its timings; the timings alone are read (and checked) but have no effect. */
function readHealth(r: SectionReader, once: Once): HealthConfig | null {
  const text = r.text('healthcheck', once);
  const probe = text === undefined ? null : r.check('healthcheck', null, () => healthSpec(text));
  const intervalMs = r.get('healthcheck_interval', 10_000, seconds(0.1), once);
  const timeoutMs = r.get('healthcheck_timeout', 5000, seconds(0.1), once);
  const retries = r.get('healthcheck_retries', 3, atLeastOne(), once);
  const startPeriodMs = r.get('healthcheck_start_period', 0, seconds(0), once);
  const orphans = HEALTH_KEYS.slice(1).filter((k) => r.has(k));
  if (text === undefined && orphans.length > 0) r.warn(`[${r.name}] ${orphans.join(', ')} set but healthcheck= is not: no effect`);
  return probe === null ? null : { probe, intervalMs, timeoutMs, retries, startPeriodMs };
}

function logTarget(text: string, host: HostFacts): LogTarget | 'syslog' {
  const lower = text.toLowerCase();
  if (lower === 'none' || lower === 'off') return { kind: 'none' };
  if (lower === 'auto') return { kind: 'auto' };
  if (lower === 'syslog') return 'syslog';
  return { kind: 'file', path: existingDirPath(text, host) };
}

function readChannel(
  r: SectionReader, channel: 'stdout' | 'stderr', expansions: Expansions, ctx: ProgramContext,
): ChannelConfig {
  const key = `${channel}_logfile`;
  // supervisord expands the log path twice (saneget, then expand() again), so mirror that.
  const once = r.text(key, { expansions });
  const text = once === undefined ? undefined : r.expandLater(key, once, expansions);
  let target = text === undefined ? { kind: 'auto' as const } : r.check(key, { kind: 'none' as const }, () => logTarget(text, ctx.host));
  const maxBytes = r.get(`${key}_maxbytes`, 50 * 1024 * 1024, byteSize, { expansions });
  let syslog = r.get(`${channel}_syslog`, false, boolean, { expansions });
  if (target === 'syslog') {
    r.warn(`For [${r.name}], ${key}=syslog but this is deprecated and will be removed.  Use ${channel}_syslog=true to enable syslog instead.`);
    target = { kind: 'none' };
    syslog = true;
  }
  if (target.kind === 'auto' && maxBytes === 0) {
    r.warn(`For [${r.name}], AUTO logging used for ${key} without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally`);
  }
  return {
    logfile: target,
    maxBytes,
    backups: r.get(`${key}_backups`, 10, integer, { expansions }),
    captureMaxBytes: r.get(`${channel}_capture_maxbytes`, 0, byteSize, { expansions }),
    eventsEnabled: r.get(`${channel}_events_enabled`, false, boolean, { expansions }),
    syslog,
    timestamps: r.get(`${key}_timestamps`, false, boolean, { expansions }),
  };
}

export function processesFromSection(
  r: SectionReader, groupName: string, kind: ProgramKind, ctx: ProgramContext,
): ProcessConfig[] {
  const programName = r.check(null, '', () => processName(r.name.slice(r.name.indexOf(':') + 1)));
  // Options read once per section: %(process_num)d is not available to them (as in supervisord).
  const common: Record<string, string | number> = {
    program_name: programName, host_node_name: ctx.host.hostname, group_name: groupName,
  };
  const once = { expansions: common };
  // A process defaults to 999 even in an eventlistener pool, whose *group* defaults to -1.
  const priority = r.get('priority', 999, integer, once);
  const autostart = r.get('autostart', true, boolean, once);
  const restart = r.get('autorestart', 'unexpected', autorestart, once);
  const startSecs = r.get('startsecs', 1, integer, once);
  const startRetries = r.get('startretries', 3, integer, once);
  const stopSignal = r.get('stopsignal', 'TERM', signal, once);
  const stopWaitSecs = r.get('stopwaitsecs', 10, integer, once);
  const stopAsGroup = r.get('stopasgroup', false, boolean, once);
  const killAsGroup = r.get('killasgroup', stopAsGroup, boolean, once);
  const codes = r.get('exitcodes', [0], exitCodes, once);
  const redirectStderr = r.get('redirect_stderr', false, boolean, once);
  // Names are checked once every group is known (dependencies.ts).
  const dependsOn = listOfStrings(r.text('depends_on', once) ?? '').filter((n) => n !== '');
  const numprocs = r.get('numprocs', 1, (v) => {
    const n = integer(v);
    if (n > MAX_NUMPROCS) throw new ValueProblem(`too many processes (at most ${MAX_NUMPROCS} per section)`);
    return n;
  }, once);
  const numprocsStart = r.get('numprocs_start', 0, (v) => {
    const n = integer(v);
    // Past 2^53 the process_num loop would stop counting (n + 1 === n) and never end.
    if (Math.abs(n) > Number.MAX_SAFE_INTEGER - MAX_NUMPROCS) throw new ValueProblem('too large for a process number');
    return n;
  }, once);
  const environmentText = r.text('environment', { expand: false }) ?? '';
  const serverurlText = r.text('serverurl', once);
  const serverurl = serverurlText === undefined || pyStrip(serverurlText).toUpperCase() === 'AUTO' ? null : serverurlText;
  const userText = r.text('user', once);
  const user = userText === undefined ? undefined : r.check('user', undefined, () => userEntry(userText, ctx.host));
  const umask = r.has('umask') ? r.get('umask', null, octal, once) : null;
  const processNameText = r.text('process_name', { expand: false }) ?? '%(program_name)s';
  r.check('process_name', '', () => processName(processNameText));
  if (numprocs > 1 && !processNameText.includes('%(process_num)')) {
    r.problem('process_name', new ValueProblem('numprocs > 1, so process_name must contain %(process_num)s (e.g. %(program_name)s_%(process_num)02d)'));
    return [];
  }
  const readyText = r.text('ready', once);
  const ready = readyText === undefined ? null : r.check('ready', null, () => readySpec(readyText));
  const readyTimeoutMs = r.get('ready_timeout', 60, readyTimeout, once) * 1000;
  if (r.has('ready_timeout') && readyText === undefined) r.warn(`[${r.name}] ready_timeout is set but ready= is not: it has no effect`);
  const health = readHealth(r, once);
  const maxMemoryBytes = r.get('max_memory', 0, byteSize, once);
  const backoff = r.get('backoff', 'linear', backoffPolicy, once);
  const backoffMaxMs = r.get('backoff_max', 60_000, seconds(1), once);
  const fatalRetryAfterMs = r.get('fatal_retry_after', 0, seconds(0), once);
  if (stopAsGroup && !killAsGroup) {
    r.problem('killasgroup', new ValueProblem('cannot be false when stopasgroup=true'));
  }

  const processes: ProcessConfig[] = [];
  // supervisord mutates one expansions dict across the loop, so a program's environment keys
  // (ENV_*) stay visible to later process_nums; this mirrors that.
  const expansions: Record<string, string | number> = { ...common };
  for (let processNum = numprocsStart; processNum < numprocs + numprocsStart; processNum++) {
    Object.assign(expansions, { process_num: processNum, numprocs }, ctx.envExpansions);
    const envText = r.expandLater('environment', environmentText, expansions);
    const env = envText === undefined ? {} : r.check('environment', {}, () => environment(envText));
    for (const [k, v] of Object.entries(env)) expansions[`ENV_${k}`] = v;
    const each = { expansions };
    const directory = r.text('directory', each) ?? null;
    const stdout = readChannel(r, 'stdout', expansions, ctx);
    let stderr = readChannel(r, 'stderr', expansions, ctx);
    if (redirectStderr) {
      if (stderr.logfile.kind === 'file') {
        r.warn(`For [${r.name}], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored`);
      }
      stderr = { ...stderr, logfile: { kind: 'none' } };
    }
    const command = r.text('command', each);
    if (command === undefined) {
      if (!r.has('command')) r.sectionProblem('no command= given: every program needs a command to run');
      return processes;
    }
    const name = r.expandLater('process_name', processNameText, expansions) ?? programName;
    processes.push({
      name, group: groupName, programName, kind, section: r.name, file: r.file, processNum, numprocs, command,
      directory, umask, priority, autostart, autorestart: restart, startMs: startSecs * 1000, startRetries,
      exitCodes: codes, stopSignal, stopWaitMs: stopWaitSecs * 1000, stopAsGroup, killAsGroup,
      user: user?.name ?? null, uid: user?.uid ?? null, redirectStderr, stdout, stderr,
      environment: programEnvironment(ctx.supervisordEnv, env), serverurl, stripAnsi: ctx.stripAnsi,
      ready, readyTimeoutMs, dependsOn, health, maxMemoryBytes, backoff, backoffMaxMs, fatalRetryAfterMs,
    });
  }
  // Within a section supervisord sorts by (priority, name); priority is shared, so by name.
  return processes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** What most programs have: no environment=, anywhere. One frozen object for all of them. */
const NO_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({});

/** [supervisord] environment= under the program's own. */
function programEnvironment(daemon: Readonly<Record<string, string>>, own: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  if (Object.keys(daemon).length === 0 && Object.keys(own).length === 0) return NO_ENVIRONMENT;
  return { ...daemon, ...own };
}
