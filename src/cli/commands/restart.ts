// restart <names>: supervisorctl's do_restart, literally stop then start.

import { words, type Command, type CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { showHelp } from './help-text.js';
import { doStart } from './start.js';
import { doStop } from './stop.js';

export async function doRestart(ctx: CommandContext, arg: string): Promise<undefined> {
  if (!(await ctx.upcheck())) return undefined;
  if (words(arg).length === 0) {
    ctx.output('Error: restart requires a process name');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'restart');
    return undefined;
  }
  await doStop(ctx, arg);
  await doStart(ctx, arg);
  return undefined;
}

export const restartCommand: Command = { name: 'restart', run: doRestart };
