// The real terminal: stdout/stderr, and one node:readline interface over stdin (created on
// first use) that serves the shell's prompt, y/N questions, fg's input lines, completion and
// history. Ctrl-C reaches whoever waits for it: a pending read, a tail -f, else `onStrayInterrupt`.

import type { Completer, Interface } from 'node:readline';
import { KeyboardInterrupt, type Terminal } from './context.js';
import { TabBurstInput } from './tab-burst.js';
import { colourWanted } from './colour.js';

export interface NodeTerminalOptions {
  readonly completer?: (line: string) => Promise<[string[], string]>;
  /** Initial history, newest first (node:readline's order). */
  readonly history?: readonly string[];
  /** Called on a Ctrl-C nobody waits for (default: exit 130 like an uncaught KeyboardInterrupt). */
  readonly onStrayInterrupt?: () => void;
}

interface Reader {
  resolve(line: string | null): void;
  reject(error: Error): void;
}

export class NodeTerminal implements Terminal {
  private rl: Interface | null = null;
  private burstInput: TabBurstInput | null = null;
  private readonly queue: string[] = [];
  private reader: Reader | null = null;
  private ended = false;
  private muted = false;
  private stdinUsed = false;
  private readonly interruptListeners = new Set<() => void>();
  private readonly options: NodeTerminalOptions;
  private readonly onSigint = (): void => {
    this.interrupt();
  };

  constructor(options: NodeTerminalOptions = {}) {
    this.options = options;
    process.on('SIGINT', this.onSigint);
  }

  readonly colour = colourWanted(process.stdout.isTTY, process.env);

  write(text: string): void {
    process.stdout.write(text);
  }

  writeError(text: string): void {
    process.stderr.write(text);
  }

  /** Newest first, as node:readline keeps it; empty when stdin is not a terminal. */
  history(): string[] {
    // node:readline keeps its history on the interface (typed only on its internal class).
    const rl = this.rl as unknown as { history?: string[] } | null;
    return [...(rl?.history ?? [])];
  }

  private interface(): Interface {
    if (this.rl !== null) return this.rl;
    const completer = this.options.completer;
    const rlCompleter: Completer | undefined = completer === undefined ? undefined : ((line: string, callback: (err: null | Error, result: [string[], string]) => void) => {
      completer(line).then((result) => {
        callback(null, result);
      }, () => {
        callback(null, [[], line]);
      });
    }) as unknown as Completer;
    // On a terminal every Tab completes, also one that came in a burst with other keys.
    this.stdinUsed = true;
    const input = process.stdin.isTTY ? (this.burstInput = new TabBurstInput(process.stdin)) : process.stdin;
    // Loaded here, not at startup: a one-shot command that never reads a line needs no readline.
    const rl = process.getBuiltinModule('node:readline').createInterface({
      input,
      output: process.stdout,
      ...(rlCompleter === undefined ? {} : { completer: rlCompleter }),
      history: [...(this.options.history ?? [])],
      historySize: 10_000,
      terminal: process.stdin.isTTY,
    });
    const writer = rl as unknown as { _writeToOutput: (text: string) => void };
    const original = writer._writeToOutput.bind(rl);
    writer._writeToOutput = (text: string): void => {
      if (!this.muted) original(text);
    };
    rl.on('line', (line) => {
      const reader = this.reader;
      this.reader = null;
      if (reader !== null) reader.resolve(line);
      else this.queue.push(line);
    });
    rl.on('close', () => {
      this.ended = true;
      const reader = this.reader;
      this.reader = null;
      reader?.resolve(null);
    });
    rl.on('SIGINT', () => {
      this.interrupt();
    });
    this.rl = rl;
    return rl;
  }

  private interrupt(): void {
    const reader = this.reader;
    if (reader !== null) {
      this.reader = null;
      this.muted = false;
      reader.reject(new KeyboardInterrupt());
      return;
    }
    if (this.interruptListeners.size > 0) {
      for (const listener of [...this.interruptListeners]) listener();
      return;
    }
    if (this.options.onStrayInterrupt !== undefined) this.options.onStrayInterrupt();
    else process.exit(130);
  }

  readLine(prompt: string): Promise<string | null> {
    const rl = this.interface();
    rl.setPrompt(prompt);
    rl.prompt();
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise<string | null>((resolve, reject) => {
      // stdin keeps flowing between reads (lines queue up), so Ctrl-C reaches a running tail -f.
      this.reader = { resolve, reject };
    });
  }

  async readSecret(prompt: string): Promise<string | null> {
    this.stdinUsed = true;
    if (!process.stdin.isTTY) return this.readLine(prompt);
    this.write(prompt);
    const rl = this.interface();
    rl.setPrompt('');
    this.muted = true;
    try {
      const line = await this.readLine('');
      this.write('\n');
      return line;
    } finally {
      this.muted = false;
    }
  }

  interrupted(): { readonly promise: Promise<void>; dispose(): void } {
    let listener = (): void => undefined;
    const promise = new Promise<void>((resolve) => {
      listener = resolve;
    });
    this.interruptListeners.add(listener);
    return {
      promise,
      dispose: () => {
        this.interruptListeners.delete(listener);
      },
    };
  }

  close(): void {
    process.off('SIGINT', this.onSigint);
    this.rl?.close();
    this.rl = null;
    this.burstInput?.release();
    this.burstInput = null;
    // process.stdin is made on first access (a stream over fd 0); a command that never read
    // input has none to pause, and making one only to pause it costs a one-shot command time.
    if (this.stdinUsed) process.stdin.pause();
  }
}
