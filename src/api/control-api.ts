// The contract between the daemon, its HTTP surface and the CLI: every operation an operator can
// perform, named and shaped as supervisord's XML-RPC `supervisor.*` methods, so XML-RPC and JSON
// are two codecs over the same calls. Types only.

/** supervisord's getProcessInfo struct, field for field. */
export interface ProcessInfo {
  readonly name: string;
  readonly group: string;
  readonly description: string;
  /** Epoch seconds (0 = never). */
  readonly start: number;
  readonly stop: number;
  readonly now: number;
  readonly state: number;
  readonly statename: string;
  readonly spawnerr: string;
  readonly exitstatus: number;
  readonly logfile: string;
  readonly stdout_logfile: string;
  readonly stderr_logfile: string;
  readonly pid: number;
}

/**
 * One end of a process (getProcessHistory, our addition): XML-RPC-friendly (no nil), times in
 * epoch seconds as getProcessInfo's, and how long it ran in ms (a crash loop's runs are short).
 */
export interface ProcessEnd {
  readonly name: string;
  readonly group: string;
  readonly pid: number;
  readonly start: number;
  readonly stop: number;
  readonly duration_ms: number;
  /** The exit code; -1 for a signal death (as getProcessInfo's exitstatus). */
  readonly exitstatus: number;
  /** The signal that ended it ('KILL'), '' for an exit. */
  readonly signal: string;
  /** 'exit status 1', 'terminated by SIGKILL'. */
  readonly description: string;
  readonly expected: boolean;
  /** Why the daemon stopped it: '' (it ended on its own), 'stopped', 'not ready', 'unhealthy', 'max_memory'. */
  readonly stopped_for: string;
  /** The state the end put it in (EXITED, BACKOFF, STOPPED). */
  readonly statename: string;
  /** Its last lines (at most 20 each), oldest first. */
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
}

/** One entry of the start/stop/signal *Group / *All results. */
export interface ProcessResult {
  readonly name: string;
  readonly group: string;
  readonly status: number;
  readonly description: string;
}

/** getAllConfigInfo entry (supervisord 4.2.5 fields). */
export type ConfigInfo = Readonly<Record<string, string | number | boolean | readonly number[]>>;

export interface DaemonState {
  readonly statecode: number;
  readonly statename: 'FATAL' | 'RUNNING' | 'RESTARTING' | 'SHUTDOWN';
}

export type Channel = 'stdout' | 'stderr';

/** Every control operation; implemented by the daemon (supervisor/control.ts) and by the CLI's client. */
export interface ControlApi {
  getAPIVersion(): Promise<string>;
  getSupervisorVersion(): Promise<string>;
  getIdentification(): Promise<string>;
  getState(): Promise<DaemonState>;
  getPID(): Promise<number>;
  readLog(offset: number, length: number): Promise<string>;
  clearLog(): Promise<boolean>;
  shutdown(): Promise<boolean>;
  restart(): Promise<boolean>;
  /** [[added, changed, removed]] group names, as supervisord returns it. */
  reloadConfig(): Promise<[[string[], string[], string[]]]>;
  addProcessGroup(name: string): Promise<boolean>;
  removeProcessGroup(name: string): Promise<boolean>;
  startProcess(name: string, wait?: boolean): Promise<boolean>;
  startProcessGroup(name: string, wait?: boolean): Promise<ProcessResult[]>;
  startAllProcesses(wait?: boolean): Promise<ProcessResult[]>;
  stopProcess(name: string, wait?: boolean): Promise<boolean>;
  stopProcessGroup(name: string, wait?: boolean): Promise<ProcessResult[]>;
  stopAllProcesses(wait?: boolean): Promise<ProcessResult[]>;
  signalProcess(name: string, signal: string): Promise<boolean>;
  signalProcessGroup(name: string, signal: string): Promise<ProcessResult[]>;
  signalAllProcesses(signal: string): Promise<ProcessResult[]>;
  getProcessInfo(name: string): Promise<ProcessInfo>;
  getAllProcessInfo(): Promise<ProcessInfo[]>;
  /** The process's last ends (at most 10), newest first. */
  getProcessHistory(name: string): Promise<ProcessEnd[]>;
  getAllConfigInfo(): Promise<ConfigInfo[]>;
  readProcessStdoutLog(name: string, offset: number, length: number): Promise<string>;
  readProcessStderrLog(name: string, offset: number, length: number): Promise<string>;
  tailProcessStdoutLog(name: string, offset: number, length: number): Promise<[string, number, boolean]>;
  tailProcessStderrLog(name: string, offset: number, length: number): Promise<[string, number, boolean]>;
  clearProcessLogs(name: string): Promise<boolean>;
  clearAllProcessLogs(): Promise<ProcessResult[]>;
  sendProcessStdin(name: string, chars: string): Promise<boolean>;
  sendRemoteCommEvent(type: string, data: string): Promise<boolean>;
}

export type ControlMethod = keyof ControlApi;
