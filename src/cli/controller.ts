// supervisorctl's Controller: parses a line into command + argument (cmd.Cmd.parseline), runs
// it, turns failures into supervisorctl's messages and exit status (onecmd), and performs the
// upcheck most commands begin with.

import { FAULTS } from '../errors.js';
import { API_VERSION } from '../version.js';
import type { CtlServer } from './client.js';
import { KeyboardInterrupt, rawInput, type Command, type CommandContext, type CtlOptions, type Terminal } from './context.js';
import { LSB_INIT } from './exit-codes.js';
import { ConnectionFailure, faultOf, ProtocolError } from './failures.js';
import { apiVersionMismatchLine, NO_RPC_NAMESPACE_LINE, uncaughtLine, unknownSyntaxLine } from './messages.js';
import type { ServerTarget, StreamHandle, StreamListener } from './transport.js';

export interface ServerConnector {
  api(target: ServerTarget): CtlServer;
  stream(target: ServerTarget, path: string, listener: StreamListener): StreamHandle;
}

const IDENT_CHAR = /[A-Za-z0-9_]/u;

/** cmd.Cmd.parseline: [command, argument, stripped line]; command null when there is none. */
export function parseLine(raw: string): [string | null, string | null, string] {
  let line = raw.trim();
  if (line === '') return [null, null, line];
  if (line.startsWith('?')) line = `help ${line.slice(1)}`;
  else if (line.startsWith('!')) return [null, null, line];
  let i = 0;
  while (i < line.length && IDENT_CHAR.test(line.charAt(i))) i++;
  return [line.slice(0, i), line.slice(i).trim(), line];
}

export class Controller implements CommandContext {
  readonly options: CtlOptions;
  readonly terminal: Terminal;
  readonly commands: ReadonlyMap<string, Command>;
  exitstatus: number = LSB_INIT.SUCCESS;
  private readonly connector: ServerConnector;

  constructor(options: CtlOptions, terminal: Terminal, connector: ServerConnector, commands: ReadonlyMap<string, Command>) {
    this.options = options;
    this.terminal = terminal;
    this.connector = connector;
    this.commands = commands;
  }

  output(message: string): void {
    this.terminal.write(`${message}\n`);
  }

  api(): CtlServer {
    return this.connector.api(this.options);
  }

  stream(path: string, listener: StreamListener): StreamHandle {
    return this.connector.stream(this.options, path, listener);
  }

  async upcheck(): Promise<boolean> {
    try {
      const api = await this.api().getVersion();
      if (api !== API_VERSION) {
        this.output(apiVersionMismatchLine(API_VERSION, api));
        this.exitstatus = LSB_INIT.NOT_INSTALLED;
        return false;
      }
    } catch (error) {
      const fault = faultOf(error);
      if (fault !== null) {
        if (fault.faultCode === FAULTS.UNKNOWN_METHOD.code) {
          this.output(NO_RPC_NAMESPACE_LINE);
          this.exitstatus = LSB_INIT.UNIMPLEMENTED_FEATURE;
          return false;
        }
        this.exitstatus = LSB_INIT.GENERIC;
        throw error;
      }
      if (error instanceof ConnectionFailure) {
        if (error.code === 'ECONNREFUSED') {
          this.output(`${this.options.serverurl} refused connection`);
          this.exitstatus = LSB_INIT.INSUFFICIENT_PRIVILEGES;
          return false;
        }
        if (error.code === 'ENOENT') {
          this.output(`${this.options.serverurl} no such file`);
          this.exitstatus = LSB_INIT.NOT_RUNNING;
          return false;
        }
        this.exitstatus = LSB_INIT.GENERIC;
      }
      throw error;
    }
    return true;
  }

  /** Controller.onecmd: runs one line; true when the shell should end. */
  async onecmd(raw: string): Promise<boolean> {
    const [name, arg, line] = parseLine(raw);
    if (line === '') return false;
    const command = name === null || name === '' ? undefined : this.commands.get(name);
    if (command === undefined || arg === null) {
      this.output(unknownSyntaxLine(line));
      this.exitstatus = LSB_INIT.GENERIC;
      return false;
    }
    try {
      try {
        return (await command.run(this, arg)) === true;
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        if (error.status !== 401) {
          this.exitstatus = LSB_INIT.GENERIC;
          throw error;
        }
        this.output('Server requires authentication');
        if (this.options.interactive) {
          const username = await rawInput(this.terminal, 'Username:');
          const password = await rawInput(this.terminal, 'Password:', true);
          this.output('');
          this.options.username = username;
          this.options.password = password;
          return await this.onecmd(line);
        }
        this.exitstatus = LSB_INIT.GENERIC;
      }
      // supervisorctl runs the command a second time after reporting a 401; it fails again.
      await command.run(this, arg);
    } catch (error) {
      if (error instanceof KeyboardInterrupt) throw error;
      this.output(uncaughtLine(error));
      this.exitstatus = LSB_INIT.GENERIC;
    }
    return false;
  }
}
