// Composition root of tssupervisorctl: command line -> [supervisorctl] config -> XML-RPC client
// -> one command (exit status = its status) or the interactive shell (exit status 0).

import { accessSync } from 'node:fs';
import { posix as path } from 'node:path';
import { ctlHelpText, CtlUsageError, parseCtlArgs, type CtlArgs } from '../cli/args.js';
import { XmlRpcControlClient } from '../cli/client.js';
import { COMMANDS } from '../cli/commands/index.js';
import { KeyboardInterrupt, type CtlOptions } from '../cli/context.js';
import { Controller, type ServerConnector } from '../cli/controller.js';
import { DEFAULT_CTL_CONFIG, loadCtlConfig } from '../cli/ctl-config.js';
import { NodeTerminal } from '../cli/terminal.js';
import { streamGet } from '../cli/transport.js';
import type { CtlConfig } from '../config/schema.js';
import { defaultConfigPaths } from '../config/default-paths.js';

const progname = path.basename(process.argv[1] ?? 'tssupervisorctl');

function usage(message: string): never {
  process.stderr.write(`Error: ${message}\nFor help, use ${progname} -h\n`);
  process.exit(2);
}

/** -c FILE, else the first of supervisord's default paths that exists, else none. */
function configFile(args: CtlArgs): string | null {
  if (args.configFile !== null) return args.configFile;
  for (const candidate of defaultConfigPaths(path.dirname(process.argv[1] ?? '.'))) {
    try {
      accessSync(candidate);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return null;
}

const connector: ServerConnector = {
  api: (target) => new XmlRpcControlClient({ serverurl: target.serverurl, username: target.username, password: target.password }),
  stream: (target, urlPath, listener) => streamGet({ ...target }, urlPath, listener),
};

async function main(): Promise<void> {
  let args: CtlArgs;
  try {
    args = parseCtlArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CtlUsageError) usage(error.message);
    throw error;
  }
  if (args.help) {
    process.stdout.write(ctlHelpText(progname));
    return;
  }
  const file = configFile(args);
  let config: CtlConfig = DEFAULT_CTL_CONFIG;
  if (file !== null) {
    const loaded = loadCtlConfig(file);
    if (!loaded.ok) usage(loaded.message);
    config = loaded.config;
  }
  // Command-line flags beat the file.
  const options: CtlOptions = {
    serverurl: args.serverurl ?? config.serverurl,
    username: args.username ?? config.username,
    password: args.password ?? config.password,
    interactive: args.interactiveFlag || args.command === null,
    prompt: config.prompt,
    historyFile: args.historyFile ?? config.historyFile,
  };

  if (args.command !== null) {
    const terminal = new NodeTerminal();
    const ctl = new Controller(options, terminal, connector, COMMANDS);
    try {
      await ctl.onecmd(args.command);
    } catch (error) {
      if (!(error instanceof KeyboardInterrupt)) throw error;
      ctl.exitstatus = 130;
    } finally {
      terminal.close();
    }
    process.exitCode = ctl.exitstatus;
    return;
  }
  // The shell (completion, history) is loaded only when there is no command to run.
  const { runShell } = await import('../cli/shell.js');
  const how = await runShell(options, connector, COMMANDS);
  process.exitCode = 0;
  if (how === 'interrupted') process.exit(0);
}

await main();
