// tssupervisorctl's command line, parsed as supervisorctl's ClientOptions does it with
// getopt.getopt: options first, the first non-option word starts the command, long options may
// be abbreviated to a unique prefix. Pure: argv in, options (or a usage error) out.

export interface CtlArgs {
  readonly configFile: string | null;
  readonly serverurl: string | null;
  readonly username: string | null;
  readonly password: string | null;
  readonly historyFile: string | null;
  readonly interactiveFlag: boolean;
  readonly help: boolean;
  /** The remaining words joined by spaces (supervisorctl's `" ".join(args)`), or null for the shell. */
  readonly command: string | null;
}

type Key = 'configFile' | 'serverurl' | 'username' | 'password' | 'historyFile' | 'interactive' | 'help';

interface FlagSpec {
  readonly short?: string;
  readonly long?: string;
  readonly key: Key;
  readonly takesValue: boolean;
}

const FLAGS: readonly FlagSpec[] = [
  { short: 'h', long: 'help', key: 'help', takesValue: false },
  { short: '?', key: 'help', takesValue: false },
  { short: 'c', long: 'configuration', key: 'configFile', takesValue: true },
  { short: 'i', long: 'interactive', key: 'interactive', takesValue: false },
  { short: 's', long: 'serverurl', key: 'serverurl', takesValue: true },
  { short: 'u', long: 'username', key: 'username', takesValue: true },
  { short: 'p', long: 'password', key: 'password', takesValue: true },
  { short: 'r', long: 'history_file', key: 'historyFile', takesValue: true },
];

export class CtlUsageError extends Error {
  override readonly name = 'CtlUsageError';
}

/** datatypes.url: a scheme and a netloc or path. */
function checkUrl(flag: string, value: string): void {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/su.exec(value);
  const rest = match?.[2] ?? '';
  if (match === null || rest === '' || rest === '//') {
    throw new CtlUsageError(`invalid value for ${flag} '${value}': value '${value}' is not a URL`);
  }
}

function findLong(name: string): FlagSpec {
  const exact = FLAGS.find((f) => f.long === name);
  if (exact !== undefined) return exact;
  const prefixed = FLAGS.filter((f) => f.long?.startsWith(name) === true);
  const only = prefixed[0];
  if (only === undefined) throw new CtlUsageError(`option --${name} not recognized`);
  if (prefixed.length > 1) throw new CtlUsageError(`option --${name} not a unique prefix`);
  return only;
}

export function parseCtlArgs(argv: readonly string[]): CtlArgs {
  // getopt reads every option first (its errors win); then each is applied in order, and -h
  // prints help at once, before any later option is checked.
  const opts: [FlagSpec, string, string][] = [];
  let i = 0;
  const set = (spec: FlagSpec, flag: string, value: string): void => {
    opts.push([spec, flag, value]);
  };
  while (i < argv.length) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const spec = findLong(name);
      const flag = `--${spec.long ?? name}`;
      if (spec.takesValue) {
        let value: string | undefined;
        if (eq !== -1) value = arg.slice(eq + 1);
        else {
          value = argv[i + 1];
          i++;
        }
        if (value === undefined) throw new CtlUsageError(`option ${flag} requires argument`);
        set(spec, flag, value);
      } else {
        if (eq !== -1) throw new CtlUsageError(`option ${flag} must not have an argument`);
        set(spec, flag, '1');
      }
      i++;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    // A cluster of short options: -ic FILE, -cFILE.
    let j = 1;
    while (j < arg.length) {
      const letter = arg.charAt(j);
      const spec = FLAGS.find((f) => f.short === letter);
      if (spec === undefined) throw new CtlUsageError(`option -${letter} not recognized`);
      if (spec.takesValue) {
        let value = arg.slice(j + 1);
        if (value === '') {
          const next = argv[i + 1];
          if (next === undefined) throw new CtlUsageError(`option -${letter} requires argument`);
          value = next;
          i++;
        }
        set(spec, `-${letter}`, value);
        break;
      }
      set(spec, `-${letter}`, '1');
      j++;
    }
    i++;
  }
  const values: Partial<Record<Key, string>> = {};
  for (const [spec, flag, value] of opts) {
    if (spec.key === 'help') {
      values.help = value;
      break;
    }
    if (spec.key === 'serverurl') checkUrl(flag, value);
    if (values[spec.key] !== undefined) throw new CtlUsageError(`conflicting command line option '${flag}'`);
    values[spec.key] = value;
  }
  const rest = argv.slice(i);
  return {
    configFile: values.configFile ?? null,
    serverurl: values.serverurl ?? null,
    username: values.username ?? null,
    password: values.password ?? null,
    historyFile: values.historyFile ?? null,
    interactiveFlag: values.interactive !== undefined,
    help: values.help !== undefined,
    command: rest.length === 0 ? null : rest.join(' '),
  };
}

/** supervisorctl.py's module docstring, what -h prints (with `%s` = the program name). */
export function ctlHelpText(progname: string): string {
  return `tssupervisorctl -- control applications run by supervisord from the cmd line.

Usage: ${progname} [options] [action [arguments]]

Options:
-c/--configuration FILENAME -- configuration file path (searches if not given)
-h/--help -- print usage message and exit
-i/--interactive -- start an interactive shell after executing commands
-s/--serverurl URL -- URL on which supervisord server is listening
     (default "http://localhost:9001").
-u/--username USERNAME -- username to use for authentication with server
-p/--password PASSWORD -- password to use for authentication with server
-r/--history-file -- keep a readline history (if readline is available)

action [arguments] -- see below

Actions are commands like "tail" or "stop".  If -i is specified or no action is
specified on the command line, a "shell" interpreting actions typed
interactively is started.  Use the action "help" to find out about available
actions.

`;
}
