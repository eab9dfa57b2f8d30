// shutdown: supervisorctl's do_shutdown (no upcheck; asks first in the shell).

import { FAULTS } from '../../errors.js';
import { rawInput, type Command, type CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { ConnectionFailure, faultOf } from '../failures.js';
import { showHelp } from './help-text.js';

export async function doShutdown(ctx: CommandContext, arg: string): Promise<undefined> {
  if (arg !== '') {
    ctx.output('Error: shutdown accepts no arguments');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'shutdown');
    return undefined;
  }
  if (ctx.options.interactive) {
    const answer = await rawInput(ctx.terminal, 'Really shut the remote supervisord process down y/N? ');
    if (!answer.toLowerCase().startsWith('y')) return undefined;
  }
  try {
    await ctx.api().shutdown();
  } catch (error) {
    const fault = faultOf(error);
    if (fault !== null) {
      if (fault.faultCode !== FAULTS.SHUTDOWN_STATE.code) {
        ctx.exitstatus = LSB_INIT.GENERIC;
        throw error;
      }
      ctx.output('ERROR: already shutting down');
      return undefined;
    }
    if (!(error instanceof ConnectionFailure)) throw error;
    ctx.exitstatus = LSB_INIT.GENERIC;
    if (error.code === 'ECONNREFUSED') ctx.output(`ERROR: ${ctx.options.serverurl} refused connection (already shut down?)`);
    else if (error.code === 'ENOENT') ctx.output(`ERROR: ${ctx.options.serverurl} no such file (already shut down?)`);
    else throw error;
    return undefined;
  }
  ctx.output('Shut down');
  return undefined;
}

export const shutdownCommand: Command = { name: 'shutdown', run: doShutdown };
