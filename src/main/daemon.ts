// Composition root of tssupervisord: command line -> config -> (check | dump | run).
import { accessSync } from 'node:fs';
import { posix as path } from 'node:path';
import { dumpConfig } from '../config/dump.js';
import { loadConfig } from '../config/load.js';
import { formatIssue } from '../config/section-reader.js';
import { defaultConfigPaths } from '../config/default-paths.js';
import { DAEMON_HELP, parseDaemonArgs, UsageError, type DaemonArgs } from './daemon-args.js';
import { packageVersion } from '../package-version.js';
import { versionLine } from '../version.js';
import type { DaemonConfig } from '../config/schema.js';
import { DaemonRun } from './daemon-run.js';
import { DAEMON_ENV, reportToParent, runDetached } from './daemonize.js';
import { checkPidfile, removePidfile } from './pidfile.js';
import { boundYoungGeneration } from './heap.js';
import { openServers } from './servers.js';
import { ListenError } from '../server/listen.js';
import { privilegeTarget, startupRefusals } from './refusals.js';
import { closeInheritedFds } from '../host/fds.js';
import { loadNativeReaper } from '../host/native-reaper.js';
import { startOrphanReaper } from '../host/orphan-reaper.js';
import { nativeNotifySend, systemdNotifier, takeSystemdEnvironment } from '../host/systemd-notify.js';
import { systemdPhaseListener } from './systemd-readiness.js';

// First of all, before any child can be spawned: descriptors inherited from the launcher must not
// reach our children (supervisord closes 3..minfds in each child). The IPC channel to the waiting
// foreground process is Node's own (close-on-exec already), and is kept by name as well.
const ipcChannelFd = (process.channel as { fd?: unknown } | undefined)?.fd;
const closedHere = closeInheritedFds(typeof ipcChannelFd === 'number' ? [ipcChannelFd] : []);
// In daemon mode the foreground process closed them before detaching; it passes the list on so
// the daemon's log says it all the same. Removed from the environment: children must not see it.
const CLOSED_FDS_ENV = 'TSSUPERVISORD_CLOSED_FDS';
const inheritedFdsClosed = [...(process.env[CLOSED_FDS_ENV]?.split(',').filter((fd) => /^\d+$/u.test(fd)).map(Number) ?? []), ...closedHere];
// eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a constant name
delete process.env[CLOSED_FDS_ENV];

/** Thrown after an exit has been scheduled, to unwind without running anything else. */
class ExitScheduled extends Error {}

function usage(message: string): never {
  const text = `Error: ${message}\nFor help, use ${path.basename(process.argv[1] ?? 'tssupervisord')} -h\n`;
  if (process.env[DAEMON_ENV] === '1' && process.send !== undefined) {
    // Detached: our stderr goes nowhere, so the waiting foreground process prints it for us.
    reportToParent({ error: text.trimEnd() }, () => process.exit(2));
    throw new ExitScheduled();
  }
  process.stderr.write(text);
  process.exit(2);
}

/** Shows a path the way the operator gave it: relative to the current folder when inside it. */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function findConfig(args: DaemonArgs): string {
  if (args.configFile !== null) return args.configFile;
  const candidates = defaultConfigPaths(path.dirname(process.argv[1] ?? '.'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return usage(`No config file found at default paths (${candidates.join(', ')}); use the -c option to specify a config file at a different path`);
}

async function main(): Promise<void> {
  let args: DaemonArgs;
  try {
    args = parseDaemonArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) usage(error.message);
    throw error;
  }
  if (args.action === 'help') {
    process.stdout.write(DAEMON_HELP);
    return;
  }
  if (args.action === 'version') {
    process.stdout.write(`${versionLine(packageVersion())}\n`);
    return;
  }
  const file = findConfig(args);
  const loaded = loadConfig(file, {}, args.overrides);
  const strictWarnings = args.strict ? loaded.warnings : [];
  if (!loaded.ok) problemsFound(file, [...loaded.issues.map((issue) => formatIssue(issue, displayPath)), ...strictWarnings], strictWarnings.length > 0);
  if (!args.strict) for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
  const { config } = loaded;
  if (args.action === 'dump-config') {
    process.stdout.write(`${JSON.stringify(dumpConfig(config), null, 2)}\n`);
    return;
  }
  const processes = config.groups.reduce((n, g) => n + g.processes.length, 0);
  if (args.action === 'check') {
    const where = displayPath(config.configFile);
    const problems = [...strictWarnings, ...startupRefusals(config).refusals.map((refusal) => `${where}: ${refusal}`)];
    if (problems.length > 0) problemsFound(file, problems, strictWarnings.length > 0);
    process.stdout.write(`${displayPath(config.configFile)}: OK (${processes} processes in ${config.groups.length} groups, ${config.files.length} files)\n`);
    return;
  }
  await run(config, args, loaded.warnings, loaded.infos);
}

/** Prints every problem, then how many, and exits 2: --check and a start with a broken config alike. */
function problemsFound(file: string, problems: readonly string[], strictWarnings: boolean): never {
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  const n = problems.length;
  const why = strictWarnings ? ' (warnings are errors with --strict)' : '';
  process.stderr.write(`${displayPath(path.resolve(file))}: ${n} problem${n === 1 ? '' : 's'} found${why}; nothing was started\n`);
  process.exit(2);
}

/** Checks that must fail in the foreground, before detaching (supervisord reports them first). */
function preflight(config: DaemonConfig): string[] {
  const { refusals, notes: raised } = startupRefusals(config);
  if (refusals.length > 0) usage(refusals.join('\nError: '));
  const notes = [...raised];
  const { pidfile } = config.supervisord;
  const owner = checkPidfile(pidfile);
  if (owner.kind === 'taken') {
    usage(`Another tssupervisord is already running as pid ${owner.pid} (pidfile ${pidfile}). Shut it down first, or give this one another pidfile.`);
  }
  if (owner.kind === 'stale') {
    removePidfile(pidfile);
    notes.push(`Removed stale pidfile ${pidfile}${owner.pid > 0 ? ` (pid ${owner.pid} is not running)` : ''}`);
  }
  return notes;
}

function dropPrivileges(user: string | null): void {
  let entry;
  try {
    entry = privilegeTarget(user);
  } catch (error) {
    usage((error as Error).message);
  }
  if (entry === null) return;
  process.setgid?.(entry.gid);
  process.setgroups?.([entry.gid]);
  process.setuid?.(entry.uid);
}

/**
 * PID 1 must collect the orphans the kernel re-parents to it; Node only reaps its own children.
 * Returns the warning to log at start when the native addon that makes this possible is missing.
 */
function reapOrphansAsPid1(debug: (message: string) => void): string[] {
  const native = loadNativeReaper();
  if ('missing' in native) {
    return [`running as PID 1 without the reaper addon (${native.missing}): orphaned grandchildren will not be reaped; run under an init such as tini (docker run --init)`];
  }
  startOrphanReaper({
    reap: native.reap,
    onReaped: (pid, how) => {
      debug(`reaped orphan pid ${pid} (${how})`);
    },
  });
  return [];
}

async function run(config: DaemonConfig, args: DaemonArgs, warnings: readonly string[], infos: readonly string[]): Promise<void> {
  const isDaemon = process.env[DAEMON_ENV] === '1';
  if (!config.supervisord.nodaemon && !isDaemon) {
    preflight(config);
    if (inheritedFdsClosed.length > 0) process.env[CLOSED_FDS_ENV] = inheritedFdsClosed.join(',');
    process.exit(await runDetached(process.argv.slice(2)));
  }
  // Taken out of the environment before anything reads it for a child (DaemonRun does): only we
  // may talk to systemd. In daemon mode this is the detached process, which inherited it.
  const notifySocket = takeSystemdEnvironment(process.env);
  const send = nativeNotifySend();
  const notifyWarnings = notifySocket !== null && 'missing' in send
    ? [`NOTIFY_SOCKET is set but systemd will not hear READY=1 (${send.missing}): use Type=simple in the unit, or install gcc and libc6-dev and run npm install again`]
    : [];
  // As PID 1, before anything is spawned: the reaper must know every child Node is responsible for.
  let debug: (message: string) => void = () => undefined;
  const pid1Warnings = process.pid === 1 ? reapOrphansAsPid1((message) => {
    debug(message);
  }) : [];
  const notes = preflight(config);
  if (inheritedFdsClosed.length > 0) {
    notes.push(`closed file descriptors inherited from the launcher so children do not get them: ${inheritedFdsClosed.join(', ')}`);
  }
  if (isDaemon) {
    // supervisord applies [supervisord] directory and umask only when it daemonizes.
    if (config.supervisord.directory !== null) process.chdir(config.supervisord.directory);
    process.umask(config.supervisord.umask);
  }
  dropPrivileges(config.supervisord.user);
  const daemon = new DaemonRun(config, {
    configFile: args.configFile ?? config.configFile, overrides: args.overrides, warnings: [...warnings, ...pid1Warnings, ...notifyWarnings], infos: [...infos, ...notes],
  });
  boundYoungGeneration();
  debug = (message) => {
    daemon.log.debug(message);
  };
  const notifier = 'missing' in send ? null : systemdNotifier(notifySocket, send, (message) => {
    daemon.log.warn(message);
  });
  if (notifier !== null) daemon.onPhase = systemdPhaseListener(notifier);
  try {
    const servers = await openServers(config, daemon);
    daemon.beforeReady = async () => servers.attach();
    daemon.onExit = async () => servers.close();
    daemon.onSignalReopen = (signal) => void servers.restore(`on ${signal}`);
  } catch (error) {
    if (error instanceof ListenError || (error as NodeJS.ErrnoException).code !== undefined) usage((error as Error).message);
    throw error;
  }
  await daemon.start();
  reportToParent({ ready: true });
}

main().catch((error: unknown) => {
  if (error instanceof ExitScheduled) return;
  reportToParent({ error: `Error: ${(error as Error).message}` });
  process.stderr.write(`tssupervisord: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
