// What a command sees of tssupervisorctl: the options, the exit status it may set, output, the
// server (XML-RPC and log streams), the terminal, and the other commands. The Controller
// implements it; unit tests implement it with fakes.

import type { CtlServer } from './client.js';
import { PythonError } from './failures.js';
import type { StreamHandle, StreamListener } from './transport.js';

export interface CtlOptions {
  serverurl: string;
  username: string | null;
  password: string | null;
  /** supervisorctl's options.interactive: no command given, or -i. Asks y/N before reload/shutdown. */
  readonly interactive: boolean;
  readonly prompt: string;
  readonly historyFile: string | null;
}

/** Ctrl-C (Python's KeyboardInterrupt) while reading a line. */
export class KeyboardInterrupt extends Error {
  override readonly name = 'KeyboardInterrupt';
}

export interface Terminal {
  /** Raw text to stdout. */
  write(text: string): void;
  /** Whether stdout may carry colour (a TTY, no NO_COLOR); status colours its state names then. */
  readonly colour: boolean;
  /** Raw text to stderr. */
  writeError(text: string): void;
  /** raw_input(prompt): the line without its newline, null at end of input; throws KeyboardInterrupt on Ctrl-C. */
  readLine(prompt: string): Promise<string | null>;
  /** getpass(prompt): like readLine, without echo. */
  readSecret(prompt: string): Promise<string | null>;
  /** Resolves at the next Ctrl-C until disposed (tail -f and maintail -f end on it). */
  interrupted(): { readonly promise: Promise<void>; dispose(): void };
}

export interface Command {
  readonly name: string;
  /** Runs with the rest of the line (stripped); true leaves the shell (quit, exit, EOF). */
  run(ctx: CommandContext, arg: string): Promise<boolean | undefined>;
}

export interface CommandContext {
  readonly options: CtlOptions;
  exitstatus: number;
  readonly terminal: Terminal;
  readonly commands: ReadonlyMap<string, Command>;
  /** Controller.output: the message and a newline, to stdout. */
  output(message: string): void;
  /** A fresh server proxy for the current options (supervisorctl's get_supervisor()). */
  api(): CtlServer;
  /** Controller.upcheck: supervisor.getVersion() must be '3.0'; false (status set) when not. */
  upcheck(): Promise<boolean>;
  /** GET a /logtail or /mainlogtail path of the current server, streaming the body. */
  stream(path: string, listener: StreamListener): StreamHandle;
}

/** Python's str.split(): words separated by runs of whitespace. */
export function words(text: string): string[] {
  return text.split(/\s+/u).filter((w) => w !== '');
}

/** Python's int() of a string: optional sign, digits (underscores between), surrounding blanks. */
export function pyInt(text: string): number | null {
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/u.test(text)) return null;
  return Number(text.trim().replaceAll('_', ''));
}

/** Python's raw_input(): the line, or EOFError at end of input. */
export async function rawInput(terminal: Terminal, prompt: string, secret = false): Promise<string> {
  const line = secret ? await terminal.readSecret(prompt) : await terminal.readLine(prompt);
  if (line === null) throw new PythonError('EOFError', 'EOF when reading a line');
  return line;
}
