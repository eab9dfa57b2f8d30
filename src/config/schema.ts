// The typed, validated, frozen configuration. Everything downstream of config/ sees only these
// shapes: every default applied, seconds turned into milliseconds and sizes into bytes, so a unit
// is always in the name (startMs, maxBytes).

export type AutoRestart = 'true' | 'false' | 'unexpected';

/** Where one output channel of a process goes: AUTO (a file in childlogdir), NONE, or a path. */
export type LogTarget =
  | { readonly kind: 'auto' }
  | { readonly kind: 'none' }
  | { readonly kind: 'file'; readonly path: string };

export interface ChannelConfig {
  readonly logfile: LogTarget;
  readonly maxBytes: number;
  readonly backups: number;
  readonly captureMaxBytes: number;
  readonly eventsEnabled: boolean;
  readonly syslog: boolean;
  /** tssupervisor extension (`*_logfile_timestamps`): prefix each line with an ISO-8601 time. */
  readonly timestamps: boolean;
}

export type ProgramKind = 'program' | 'eventlistener' | 'fcgi-program';

/** tssupervisor extension `ready=`: when the process counts as started. */
export type ReadySpec =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'http'; readonly url: string }          // http:// or https://
  | { readonly kind: 'exec'; readonly command: string }      // split like command=
  | { readonly kind: 'notify' }
  | { readonly kind: 'log'; readonly pattern: string };      // a JS RegExp source (u flag)

/** The probe kinds a health check can use: one try asks a question the child answers now. */
export type HealthSpec = Extract<ReadySpec, { readonly kind: 'tcp' | 'http' | 'exec' }>;

/** tssupervisor extension `healthcheck=`: checked while RUNNING; `retries` failures in a row restart it. */
export interface HealthConfig {
  readonly probe: HealthSpec;
  readonly intervalMs: number;       // healthcheck_interval, default 10 s
  readonly timeoutMs: number;        // healthcheck_timeout, default 5 s
  readonly retries: number;          // healthcheck_retries, default 3
  readonly startPeriodMs: number;    // healthcheck_start_period, default 0: failures this soon after RUNNING don't count
}

/** tssupervisor extension `backoff=`: how the wait before retry N grows (supervisord: N seconds). */
export type BackoffPolicy = 'linear' | 'exponential';

/** One process to run: a [program:x] section expanded for one process_num. */
export interface ProcessConfig {
  readonly name: string;
  readonly group: string;
  readonly programName: string;
  readonly kind: ProgramKind;
  /** Section header as written, e.g. `program:redis`, and where it came from, for messages. */
  readonly section: string;
  readonly file: string;
  readonly processNum: number;
  readonly numprocs: number;
  readonly command: string;
  readonly directory: string | null;
  readonly umask: number | null;
  readonly priority: number;
  readonly autostart: boolean;
  readonly autorestart: AutoRestart;
  readonly startMs: number;
  readonly startRetries: number;
  readonly exitCodes: readonly number[];
  /** Signal name without the SIG prefix, e.g. `TERM`. */
  readonly stopSignal: string;
  readonly stopWaitMs: number;
  readonly stopAsGroup: boolean;
  readonly killAsGroup: boolean;
  readonly user: string | null;
  readonly uid: number | null;
  readonly redirectStderr: boolean;
  readonly stdout: ChannelConfig;
  readonly stderr: ChannelConfig;
  /** The program's own `environment=` (the daemon merges [supervisord] environment under it). */
  readonly environment: Readonly<Record<string, string>>;
  /** null = AUTO: the daemon's first control server. */
  readonly serverurl: string | null;
  readonly stripAnsi: boolean;
  /** tssupervisor extension `ready=`: when the process counts as started. */
  readonly ready: ReadySpec | null;
  readonly readyTimeoutMs: number;            // ready_timeout, default 60 s
  readonly dependsOn: readonly string[];      // depends_on as written, split on commas, trimmed
  readonly health: HealthConfig | null;       // healthcheck= and its healthcheck_* keys
  /** max_memory: RSS of the process and its descendants that makes it restart; 0 = no limit. */
  readonly maxMemoryBytes: number;
  readonly backoff: BackoffPolicy;            // default linear: supervisord's 1, 2, 3 ... s
  readonly backoffMaxMs: number;              // backoff_max, default 60 s: caps exponential waits
  /** fatal_retry_after: a FATAL process starts again (fresh retry count) this long after; 0 = never. */
  readonly fatalRetryAfterMs: number;
}

export interface EventListenerExtras {
  readonly events: readonly string[];
  readonly bufferSize: number;
  readonly resultHandler: string;
}

export interface FcgiExtras {
  readonly socket: string;
  readonly socketBacklog: number | null;
  readonly socketOwner: string | null;
  readonly socketMode: number | null;
}

export type GroupKind = 'process' | 'eventlistener' | 'fcgi';

export interface GroupConfig {
  readonly name: string;
  readonly priority: number;
  readonly kind: GroupKind;
  readonly processes: readonly ProcessConfig[];
  readonly eventListener: EventListenerExtras | null;
  readonly fcgi: FcgiExtras | null;
}

export type LogLevel = 'critical' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'blather';

export interface SupervisordConfig {
  readonly logfile: string;
  readonly logfileMaxBytes: number;
  readonly logfileBackups: number;
  readonly loglevel: LogLevel;
  readonly pidfile: string;
  readonly umask: number;
  readonly nodaemon: boolean;
  readonly silent: boolean;
  readonly minfds: number;
  readonly minprocs: number;
  readonly nocleanup: boolean;
  readonly childlogdir: string;
  readonly user: string | null;
  readonly directory: string | null;
  readonly stripAnsi: boolean;
  readonly environment: Readonly<Record<string, string>>;
  readonly identifier: string;
  /** tssupervisor extension: `logformat=json` writes the daemon log as JSON lines. */
  readonly logformat: 'text' | 'json';
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface UnixServerConfig {
  readonly section: string;
  readonly file: string;
  readonly chmod: number;
  readonly chown: string | null;
  readonly credentials: Credentials | null;
}

export interface InetServerConfig {
  readonly section: string;
  /** '' means all interfaces, as supervisord reads `:9001` and `*:9001`. */
  readonly host: string;
  readonly port: number;
  readonly credentials: Credentials | null;
  /** metrics_auth (ours, default true): false serves GET /metrics without the credentials. */
  readonly metricsAuth: boolean;
}

export interface CtlConfig {
  readonly serverurl: string;
  readonly username: string | null;
  readonly password: string | null;
  readonly prompt: string;
  readonly historyFile: string | null;
}

export interface DaemonConfig {
  /** Absolute path of the main config file. */
  readonly configFile: string;
  /** Every file read, main first, in the order read. */
  readonly files: readonly string[];
  readonly supervisord: SupervisordConfig;
  readonly groups: readonly GroupConfig[];
  readonly unixServers: readonly UnixServerConfig[];
  readonly inetServers: readonly InetServerConfig[];
  readonly ctl: CtlConfig;
}
