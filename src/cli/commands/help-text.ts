// Prints a command's help_<name> text (shared by the commands that show it after an error).

import type { CommandContext } from '../context.js';
import { HELP } from '../render.js';

export function showHelp(ctx: CommandContext, topic: string): void {
  for (const message of HELP[topic] ?? []) ctx.output(message);
}
