// The running daemon: logger, pid file, supervisor, control servers, signals. Created by
// main/daemon.ts once the config is valid and (in daemon mode) the process has detached.

import { closeSync, rmSync } from 'node:fs';
import type { ControlApi } from '../api/control-api.js';
import { loadConfig, type LoadResult } from '../config/load.js';
import { systemHost } from '../config/system-host.js';
import type { DaemonConfig, ProcessConfig } from '../config/schema.js';
import { formatIssue } from '../config/section-reader.js';
import { clearAutoLogs, createChildLogs, sharedLogFiles, type ChildLogs, type ChildOutputOptions } from '../logging/child-output.js';
import { outputEvent } from '../events/facts.js';
import { createDaemonLogger, fileDestination, stdoutDestination, type DaemonLogger, type LogDestination } from '../logging/daemon-logger.js';
import { createProbe } from '../process/probes/index.js';
import { healthOf, type HealthStatus } from '../process/health.js';
import { runWatchesFor } from '../supervisor/run-watches.js';
import { systemClock } from '../process/clock.js';
import { FifoPool } from '../process/fifo-pool.js';
import type { ProcessRunner } from '../process/runner.js';
import { createSpawner, statForExec } from '../process/spawner.js';
import { cachedPerTurn } from '../process/turn-cache.js';
import { SupervisorControl } from '../supervisor/control.js';
import { makeNamespec } from '../api/namespec.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { fcgiSocketOf } from '../supervisor/fcgi-socket.js';
import { isCharacterDevice } from '../host/character-device.js';
import { openListenSocket } from '../host/listen-socket.js';
import { loadNativeAddon } from '../host/native-addon.js';
import { createNativeSpawner, spawnAddonOf } from '../host/native-spawner.js';
import { GenerationFile, generationFileOf } from './generation-file.js';
import { removePidfile, writePidfile } from './pidfile.js';
import { stopSurvivors } from './survivors.js';
import type { DaemonPhase } from './systemd-readiness.js';
import { pendingSpawns, spawnsDone } from './start-wave.js';
import { MetricsSource } from './metrics-source.js';
import { ProcessCounters } from '../supervisor/process-counters.js';

export interface DaemonRunOptions {
  readonly configFile: string;
  readonly overrides: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
  readonly infos: readonly string[];
}

function createLogger(config: DaemonConfig): DaemonLogger {
  const s = config.supervisord;
  const destinations: LogDestination[] = [];
  const onError = (err: Error): void => {
    process.stderr.write(`tssupervisord: log file ${s.logfile}: ${err.message}\n`);
  };
  // fileDestination reports logfile=syslog as unsupported and falls back to stdout.
  destinations.push(fileDestination(s.logfile, s.logfileMaxBytes, s.logfileBackups, onError));
  // In the foreground the log is echoed to stdout too, unless silent (supervisord's nodaemon).
  const toStdout = ['syslog', '/dev/stdout', '/dev/fd/1'].includes(s.logfile);
  if (s.nodaemon && !s.silent && !toStdout) destinations.push(stdoutDestination(onError));
  return createDaemonLogger({ level: s.loglevel, format: s.logformat, destinations, batched: true });
}

/** The first control server's URL, for SUPERVISOR_SERVER_URL (serverurl=AUTO). */
export function defaultServerUrl(config: DaemonConfig): string | null {
  const [unix] = config.unixServers;
  if (unix !== undefined) return `unix://${unix.file}`;
  const [inet] = config.inetServers;
  return inet === undefined ? null : `http://${inet.host === '' ? 'localhost' : inet.host}:${inet.port}`;
}

/** The longest READY=1 waits for the first wave of spawns (1000 programs take about 1.3 s). */
const START_WAVE_TIMEOUT_MS = 30_000;

/** How long shutdown and reload wait for child output still being written. */
const LOG_FLUSH_MS = 5000;

const logKey = (p: ProcessConfig): string => `${p.group}:${p.name}`;

export class DaemonRun {
  private config: DaemonConfig;
  private logger: DaemonLogger;
  readonly supervisor: Supervisor;
  readonly control: ControlApi;
  private readonly childLogs = new Map<string, ChildLogs>();
  private readonly options: DaemonRunOptions;
  private stopping = false;
  private readonly fifos: FifoPool | null;
  private readonly generation: GenerationFile;
  private stopTicks: () => void = () => undefined;
  private logOptions: { readonly config: DaemonConfig; readonly options: ChildOutputOptions } | null = null;
  private groupsLoaded = false;
  /** Counts starts and reloads, so that only the latest one says it is ready. */
  private starts = 0;
  /** Times the config file was read again: reread/update (reloadConfig), reload and SIGHUP. */
  private configReloads = 0;
  /** What /metrics and the JSON API's `restarts` and `memory` read. */
  readonly metrics: MetricsSource;
  /** Called once everything is stopped, before the process exits (closes servers). */
  onExit: () => Promise<void> = () => Promise.resolve();
  /** Called on SIGHUP and SIGUSR2, before anything else (recreates a deleted control socket). */
  onSignalReopen: (signal: 'SIGHUP' | 'SIGUSR2') => void = () => undefined;
  /** Told when the daemon is ready (start, end of a reload), reloading, or stopping (systemd's notify). */
  onPhase: (phase: DaemonPhase) => void = () => undefined;
  /**
   * Runs once the first wave of autostart spawns is done, before the daemon says it is ready:
   * the control servers' apps are built then (main/servers.ts attach()), not before the spawns.
   */
  beforeReady: () => Promise<void> = () => Promise.resolve();

  constructor(config: DaemonConfig, options: DaemonRunOptions) {
    this.config = config;
    this.options = options;
    this.logger = createLogger(config);
    const host = systemHost();
    // The addon's spawner where it works here: real pipes of its own (pipe2), so no FIFO pool.
    const spawnAddon = spawnAddonOf(loadNativeAddon());
    this.logger.debug(`children are spawned by ${spawnAddon === null ? 'node:child_process' : 'the native addon (clone and pidfd)'}`);
    // Otherwise real pipes for children's output, made ahead: two per process, and more as they go.
    const processes = config.groups.reduce((n, g) => n + g.processes.length, 0);
    this.fifos = spawnAddon === null ? FifoPool.create(Math.min(4096, 2 * processes + 64)) : null;
    if (spawnAddon === null && this.fifos === null) this.logger.warn('mkfifo is not available: children get socket pairs, so opening /dev/stdout by path fails for them');
    this.supervisor = new Supervisor({ ...config, groups: [] }, {
      spawner: spawnAddon === null ? createSpawner(this.fifos) : createNativeSpawner(spawnAddon),
      clock: systemClock,
      stat: cachedPerTurn(statForExec),
      log: (level, message) => {
        this.logger[level](message);
      },
      daemonEnv: process.env,
      serverUrl: defaultServerUrl(config),
      outputFor: (p) => this.openChildLogs(p),
      isRoot: process.getuid?.() === 0,
      gidOf: (uid) => host.lookupUser(String(uid))?.gid,
      identifier: () => this.config.supervisord.identifier,
      probes: createProbe,
      watchesFor: (p) => runWatchesFor(p, { clock: systemClock }),
      fcgiSocketFor: (group) => fcgiSocketOf(group, {
        lookupUser: (k) => host.lookupUser(k), lookupGroup: (k) => host.lookupGroup(k), daemonUid: process.getuid?.() ?? 0,
      }, { listen: (spec) => openListenSocket(spec), close: closeSync }, (level, message) => {
        this.logger[level](message);
      }),
    });
    this.metrics = new MetricsSource({
      supervisor: this.supervisor,
      counters: new ProcessCounters(this.supervisor.flow),
      logsOf: (runner) => this.childLogs.get(logKey(runner.config)),
      configReloads: () => this.configReloads,
    });
    this.generation = new GenerationFile(() => generationFileOf(this.config.supervisord.pidfile), this.supervisor, (message) => {
      this.logger.error(message);
    });
    // Signals first: a SIGTERM that arrives before or while groups are being created must still
    // mean an orderly shutdown, not Node's default of dying on the spot. The groups are created in
    // start(), once a SIGKILLed predecessor's children are gone (an fcgi group makes its socket at
    // once, and would find the port still held by them).
    this.installSignals();
    this.control = new SupervisorControl({
      supervisor: this.supervisor,
      clock: systemClock,
      config: () => this.config,
      reload: () => this.readConfig(),
      logsOf: (runner) => this.childLogs.get(logKey(runner.config)),
      mainLogfile: () => this.mainLogPath(),
      clearMainLog: () => {
        rmSync(this.config.supervisord.logfile, { force: true });
        this.logger.reopen();
        this.logger.info('reopening log file');
      },
      requestShutdown: () => {
        void this.shutdown();
      },
      requestRestart: () => {
        void this.reload();
      },
    });
  }

  get log(): DaemonLogger {
    return this.logger;
  }

  /** The log file of `namespec`'s channel, or null (no such process, or no file). */
  logPathOf(namespec: string, channel: 'stdout' | 'stderr'): string | null {
    const runner = this.runnerOf(namespec);
    const logs = runner === undefined ? undefined : this.childLogs.get(logKey(runner.config));
    const path = channel === 'stdout' ? logs?.stdoutPath : logs?.stderrPath;
    return path === undefined || path === '' ? null : path;
  }

  mainLogPath(): string | null {
    return this.config.supervisord.logfile === 'syslog' ? null : this.config.supervisord.logfile;
  }

  /** The health check status of `namespec` (JSON API), null without one or no such process. */
  healthOf(namespec: string): HealthStatus | null {
    const runner = this.runnerOf(namespec);
    return runner === undefined ? null : healthOf(runner.watches);
  }

  private runnerOf(namespec: string): ProcessRunner | undefined {
    return this.supervisor.runners().find((r) => makeNamespec(r.config.group, r.config.name) === namespec);
  }

  /** Namespecs of the processes that should be running (for /healthz). */
  autostartNamespecs(): string[] {
    return this.supervisor.runners().filter((r) => r.config.autostart).map((r) => makeNamespec(r.config.group, r.config.name));
  }

  private readConfig(): LoadResult {
    this.configReloads++;
    return loadConfig(this.options.configFile, {}, this.options.overrides);
  }

  private openChildLogs(p: ProcessConfig): ChildLogs {
    const logs = createChildLogs(p, this.childLogOptions());
    void this.childLogs.get(logKey(p))?.close();
    this.childLogs.set(logKey(p), logs);
    return logs;
  }

  /**
   * What every program's logs are made with, one object for all of them (its callbacks are told
   * whose output it is), made again when the config (and with it the logger) is replaced.
   */
  private childLogOptions(): ChildOutputOptions {
    if (this.logOptions?.config === this.config) return this.logOptions.options;
    const { childlogdir, identifier } = this.config.supervisord;
    const options: ChildOutputOptions = {
      childlogdir,
      identifier,
      onError: (message) => {
        this.logger.error(message);
      },
      ...(this.logger.isEnabled('debug') ? { debugOutput: (message: string) => { this.logger.debug(message); } } : {}),
      onOutputFact: (fact, p) => {
        this.supervisor.publish(outputEvent(p, fact, systemClock.now()));
      },
    };
    this.logOptions = { config: this.config, options };
    return options;
  }

  /** (Re)creates every group from the current config, as supervisord does at start and reload. */
  private loadGroups(): void {
    const { childlogdir, identifier, nocleanup } = this.config.supervisord;
    // As supervisord: AUTO logs of the previous run go at every start and reload.
    if (!nocleanup) clearAutoLogs(childlogdir, identifier);
    for (const [file, users] of sharedLogFiles(this.config.groups.flatMap((g) => g.processes), isCharacterDevice)) {
      this.logger.error(`log file ${file} is shared by ${users.join(', ')}: their lines interleave and rotation can lose some; give each its own file`);
    }
    for (const group of this.config.groups) this.supervisor.addGroup(group);
    this.groupsLoaded = true;
  }

  /**
   * Logs what supervisord logs at start, writes the pid file, stops what a SIGKILLed predecessor
   * left running and spawns autostart programs.
   */
  async start(): Promise<void> {
    const { logger, config } = this;
    for (const warning of this.options.warnings) logger.warn(warning);
    for (const info of this.options.infos) logger.info(info);
    if (process.getuid?.() === 0 && config.supervisord.user === null) {
      logger.critical('Supervisor is running as root.  Privileges were not dropped because no user is specified in the config file.  If you intend to run as root, you can set user=root in the config file to avoid this message.');
    }
    // Node exits when nothing is pending; a supervisor with every program stopped and no control
    // socket must still wait for signals, as supervisord does.
    setInterval(() => undefined, 2 ** 31 - 1);
    await stopSurvivors(generationFileOf(config.supervisord.pidfile), (level, message) => {
      logger[level](message);
    });
    if (this.stopping) return;
    // As supervisord: the groups (an fcgi group's socket lines), then the pid file. A reload
    // (SIGHUP) that came while we waited has loaded them already.
    if (!this.groupsLoaded) this.loadGroups();
    writePidfile(config.supervisord.pidfile);
    logger.info(`supervisord started with pid ${process.pid}`);
    this.generation.start();
    this.stopTicks = this.supervisor.runTicks();
    this.supervisor.announceRunning();
    this.supervisor.startAutostart();
    void this.announceReady();
  }

  /**
   * Ready (systemd's READY=1) once the first wave of autostart spawns is done (start-wave.ts):
   * called right after startAutostart(), which has only queued them. A reload or shutdown begun
   * meanwhile makes this start's readiness moot.
   */
  private async announceReady(): Promise<void> {
    const start = ++this.starts;
    await spawnsDone(pendingSpawns(this.supervisor.runners()), START_WAVE_TIMEOUT_MS);
    try {
      await this.beforeReady();
    } catch (error) {
      // Never expected (fastify is a dependency); without its control server the daemon could not be driven.
      this.logger.critical(`could not start the control server: ${(error as Error).stack ?? String(error)}`);
      void this.shutdown();
      return;
    }
    if (this.stopping || start !== this.starts) return;
    const runners = this.supervisor.runners();
    this.onPhase({ kind: 'ready', processes: runners.length, autostart: runners.filter((r) => r.config.autostart).length });
  }

  private installSignals(): void {
    const exitRequest = (name: string) => (): void => {
      this.logger.warn(`received ${name} indicating exit request`);
      void this.shutdown();
    };
    process.on('SIGTERM', exitRequest('SIGTERM'));
    process.on('SIGINT', exitRequest('SIGINT'));
    process.on('SIGQUIT', exitRequest('SIGQUIT'));
    process.on('SIGHUP', () => {
      this.onSignalReopen('SIGHUP');
      if (this.stopping) {
        this.logger.warn('ignored SIGHUP indicating restart request (shutdown in progress)');
        return;
      }
      this.logger.warn('received SIGHUP indicating restart request');
      void this.reload();
    });
    process.on('SIGUSR2', () => {
      this.onSignalReopen('SIGUSR2');
      this.logger.info('received SIGUSR2 indicating log reopen request');
      this.reopenLogs();
    });
  }

  reopenLogs(): void {
    this.logger.reopen();
    this.logger.info('supervisord logreopen');
    for (const logs of this.childLogs.values()) logs.reopen();
  }

  /** Orderly shutdown: every group stopped in reverse priority, then exit 0. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.onPhase({ kind: 'stopping' });
    await this.supervisor.shutdown('SHUTDOWN');
    // Every program is stopped: the rest is tidying up, and a step that fails is logged, never
    // allowed to turn an orderly shutdown into a crash (exit 1) or to skip the steps after it.
    const tidy = async (what: string, step: () => unknown): Promise<void> => {
      try {
        await step();
      } catch (error) {
        this.logger.error(`shutdown: could not ${what}: ${(error as Error).message}`);
      }
    };
    this.stopTicks();
    await tidy('close the child logs', async () => this.closeChildLogs());
    await tidy('close the control servers', async () => this.onExit());
    await tidy('remove the FIFO pool', () => this.fifos?.close());
    await tidy('close the ready probes', () => { this.supervisor.clearGroups(); });
    await tidy('remove the children record', () => { this.generation.remove(); });
    await tidy('remove the pid file', () => { removePidfile(this.config.supervisord.pidfile); });
    this.logger.close();
    process.exit(0);
  }

  /**
   * Waits for the children's last output to be written, but not for ever: a log on a stuck device
   * must not keep the daemon from exiting or reloading.
   */
  private async closeChildLogs(): Promise<void> {
    const closed = Promise.all([...this.childLogs.values()].map(async (logs) => logs.close()));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn(`child logs still not written after ${LOG_FLUSH_MS / 1000} s (a stuck disk?); going on without them`);
        resolve();
      }, LOG_FLUSH_MS);
    });
    await Promise.race([closed, late]);
    clearTimeout(timer);
  }

  /**
   * SIGHUP / supervisorctl reload: supervisord stops everything and re-reads its config. We read
   * and validate the new config first, so a broken file keeps the running programs instead of
   * taking them down.
   */
  async reload(): Promise<void> {
    const loaded = this.readConfig();
    if (!loaded.ok) {
      for (const issue of loaded.issues) this.logger.error(`reload refused: ${formatIssue(issue)}`);
      this.logger.error('reload refused: the config has problems; still running the previous config');
      this.onPhase({ kind: 'reload-refused' });
      return;
    }
    this.onPhase({ kind: 'reloading' });
    this.stopping = true;
    await this.supervisor.shutdown('RESTARTING');
    this.supervisor.clearGroups();
    await this.closeChildLogs();
    this.childLogs.clear();
    this.logger.close();
    this.config = loaded.config;
    this.logger = createLogger(loaded.config);
    for (const warning of loaded.warnings) this.logger.warn(warning);
    this.loadGroups();
    this.supervisor.resume();
    this.stopping = false;
    writePidfile(this.config.supervisord.pidfile);
    this.supervisor.announceRunning();
    this.supervisor.startAutostart();
    void this.announceReady();
  }
}
