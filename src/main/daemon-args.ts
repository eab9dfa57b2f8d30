// tssupervisord's command line: supervisord's flags (options.py ServerOptions) plus --check and
// --dump-config. Pure: argv in, a description of what to do (or a usage error) out.

export type DaemonAction = 'run' | 'check' | 'dump-config' | 'help' | 'version';

/** `[supervisord]` options that a flag overrides (command line beats the config file). */
export type SupervisordOverrides = Partial<Record<
  'nodaemon' | 'silent' | 'user' | 'umask' | 'directory' | 'logfile' | 'logfile_maxbytes' | 'logfile_backups'
  | 'loglevel' | 'pidfile' | 'identifier' | 'childlogdir' | 'nocleanup' | 'minfds' | 'minprocs' | 'strip_ansi'
  | 'profile_options' | 'logformat',
  string
>>;

export interface DaemonArgs {
  readonly action: DaemonAction;
  readonly configFile: string | null;
  readonly overrides: SupervisordOverrides;
  /** --strict: --check counts warnings (unknown options, ...) as problems. */
  readonly strict: boolean;
}

interface FlagSpec {
  readonly short?: string;
  readonly long: string;
  /** The [supervisord] key it sets; `true` = a switch that sets it to 'true'. */
  readonly key?: keyof SupervisordOverrides;
  readonly takesValue: boolean;
}

const FLAGS: readonly FlagSpec[] = [
  { short: 'c', long: 'configuration', takesValue: true },
  { short: 'n', long: 'nodaemon', key: 'nodaemon', takesValue: false },
  { short: 's', long: 'silent', key: 'silent', takesValue: false },
  { short: 'u', long: 'user', key: 'user', takesValue: true },
  { short: 'm', long: 'umask', key: 'umask', takesValue: true },
  { short: 'd', long: 'directory', key: 'directory', takesValue: true },
  { short: 'l', long: 'logfile', key: 'logfile', takesValue: true },
  { short: 'y', long: 'logfile_maxbytes', key: 'logfile_maxbytes', takesValue: true },
  { short: 'z', long: 'logfile_backups', key: 'logfile_backups', takesValue: true },
  { short: 'e', long: 'loglevel', key: 'loglevel', takesValue: true },
  { short: 'j', long: 'pidfile', key: 'pidfile', takesValue: true },
  { short: 'i', long: 'identifier', key: 'identifier', takesValue: true },
  { short: 'q', long: 'childlogdir', key: 'childlogdir', takesValue: true },
  { short: 'k', long: 'nocleanup', key: 'nocleanup', takesValue: false },
  { short: 'a', long: 'minfds', key: 'minfds', takesValue: true },
  { short: 't', long: 'strip_ansi', key: 'strip_ansi', takesValue: false },
  { long: 'minprocs', key: 'minprocs', takesValue: true },
  { long: 'profile_options', key: 'profile_options', takesValue: true },
  { long: 'logformat', key: 'logformat', takesValue: true },
  { short: 'h', long: 'help', takesValue: false },
  { short: '?', long: 'help', takesValue: false },
  { short: 'v', long: 'version', takesValue: false },
  { long: 'check', takesValue: false },
  { long: 'dump-config', takesValue: false },
  { long: 'strict', takesValue: false },
];

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseDaemonArgs(argv: readonly string[]): DaemonArgs {
  let action: DaemonAction = 'run';
  let configFile: string | null = null;
  const overrides: SupervisordOverrides = {};
  const seen = new Set<string>();
  let strict = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const [name = '', value] = arg.slice(2).split(/=(.*)/su, 2);
      spec = FLAGS.find((f) => f.long === name);
      inline = value;
    } else if (arg.startsWith('-') && arg.length > 1) {
      spec = FLAGS.find((f) => f.short === arg.charAt(1));
      inline = arg.length > 2 ? arg.slice(2) : undefined;
    } else {
      throw new UsageError(`positional arguments are not supported: ${JSON.stringify(argv.slice(i))}`);
    }
    if (spec === undefined) throw new UsageError(`option ${arg} not recognized`);
    let value = 'true';
    if (spec.takesValue) {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new UsageError(`option ${arg} requires argument`);
      value = next;
    } else if (inline !== undefined && arg.startsWith('--')) {
      throw new UsageError(`option --${spec.long} must not have an argument`);
    }
    if (seen.has(spec.long) && spec.long !== 'help') throw new UsageError(`conflicting command line option ${JSON.stringify(arg)}`);
    seen.add(spec.long);
    if (spec.long === 'configuration') configFile = value;
    else if (spec.key !== undefined) overrides[spec.key] = value;
    else if (spec.long === 'help' || spec.long === 'version') action = spec.long;
    else if (spec.long === 'strict') strict = true;
    else if ((spec.long === 'check' || spec.long === 'dump-config') && action === 'run') action = spec.long;
  }
  // Said rather than ignored: someone who wrote --strict on a start expects it to mean something.
  if (strict && (action === 'run' || action === 'dump-config')) throw new UsageError('--strict only applies to --check');
  return { action, configFile, overrides, strict };
}

export const DAEMON_HELP = `tssupervisord -- run a set of applications as daemons (a drop-in for supervisord).

Usage: tssupervisord [options]

Options:
-c/--configuration FILENAME -- configuration file path (searches if not given)
-n/--nodaemon -- run in the foreground (same as 'nodaemon=true' in config file)
-s/--silent -- no logs to stdout (maps to 'silent=true' in config file)
-h/--help -- print this usage message and exit
-v/--version -- print tssupervisor's version and the supervisord version it is compatible with, and exit
-u/--user USER -- run supervisord as this user (or numeric uid)
-m/--umask UMASK -- use this umask for daemon subprocess (default is 022)
-d/--directory DIRECTORY -- directory to chdir to when daemonized
-l/--logfile FILENAME -- use FILENAME as logfile path
-y/--logfile_maxbytes BYTES -- use BYTES to limit the max size of logfile
-z/--logfile_backups NUM -- number of backups to keep when max bytes reached
-e/--loglevel LEVEL -- use LEVEL as log level (debug,info,warn,error,critical)
-j/--pidfile FILENAME -- write a pid file for the daemon process to FILENAME
-i/--identifier STR -- identifier used for this instance of supervisord
-q/--childlogdir DIRECTORY -- the log directory for child process logs
-k/--nocleanup --  prevent the process from performing cleanup (removal of
                   old automatic child log files) at startup.
-a/--minfds NUM -- the minimum number of file descriptors for start success
-t/--strip_ansi -- strip ansi escape codes from process output
--minprocs NUM  -- the minimum number of processes available for start success
--logformat text|json -- the daemon log as supervisord's text lines or JSON lines

tssupervisor additions:
--check -- validate the configuration, print every problem, exit 0 (valid) or 2
--strict -- with --check: warnings (unknown options, ...) are problems too (exit 2)
--dump-config -- print the fully resolved configuration as JSON and exit
`;
