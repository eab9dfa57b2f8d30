// reload: supervisorctl's do_reload (no upcheck; asks first in the shell).

import { rawInput, type Command, type CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { showHelp } from './help-text.js';
import { alreadyShuttingDown } from './shutdown-state.js';

export async function doReload(ctx: CommandContext, arg: string): Promise<undefined> {
  if (arg !== '') {
    ctx.output('Error: reload accepts no arguments');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'reload');
    return undefined;
  }
  if (ctx.options.interactive) {
    const answer = await rawInput(ctx.terminal, 'Really restart the remote supervisord process y/N? ');
    if (!answer.toLowerCase().startsWith('y')) return undefined;
  }
  try {
    await ctx.api().restart();
  } catch (error) {
    alreadyShuttingDown(ctx, error);
    return undefined;
  }
  ctx.output('Restarted supervisord');
  return undefined;
}

export const reloadCommand: Command = { name: 'reload', run: doReload };
