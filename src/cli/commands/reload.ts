// reload: supervisorctl's do_reload (no upcheck; asks first in the shell).

import { FAULTS } from '../../errors.js';
import { rawInput, type Command, type CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';
import { showHelp } from './help-text.js';

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
    const fault = faultOf(error);
    if (fault === null) throw error;
    ctx.exitstatus = LSB_INIT.GENERIC;
    if (fault.faultCode !== FAULTS.SHUTDOWN_STATE.code) throw error;
    ctx.output('ERROR: already shutting down');
    return undefined;
  }
  ctx.output('Restarted supervisord');
  return undefined;
}

export const reloadCommand: Command = { name: 'reload', run: doReload };
