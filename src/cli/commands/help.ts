// help [topic]: Controller.do_help and ControllerPluginBase.do_help.

import type { Command, CommandContext } from '../context.js';
import { HELP, helpIndexLines, noHelpLine } from '../render.js';

/** Our own commands: `help <name>` knows them, but the index stays supervisorctl's, byte for byte. */
const EXTENSIONS: ReadonlySet<string> = new Set(['history']);

/** Commands the index lists: every command with a help text except help itself (and EOF) and ours. */
export function listedCommands(ctx: CommandContext): string[] {
  return [...ctx.commands.keys()].filter((name) => name !== 'help' && !EXTENSIONS.has(name) && Object.hasOwn(HELP, name)).sort();
}

export function doHelp(ctx: CommandContext, arg: string): Promise<undefined> {
  if (arg === '') {
    for (const line of helpIndexLines(listedCommands(ctx))) ctx.output(line);
  } else if (Object.hasOwn(HELP, arg) && (arg === 'help' || ctx.commands.has(arg))) {
    for (const message of HELP[arg] ?? []) ctx.output(message);
  } else {
    ctx.output(noHelpLine(arg));
  }
  return Promise.resolve(undefined);
}

export const helpCommand: Command = { name: 'help', run: doHelp };
