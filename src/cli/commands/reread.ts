// reread: supervisorctl's do_reread (no upcheck).

import { FAULTS } from '../../errors.js';
import type { Command, CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';
import { changeLines } from '../render.js';
import { showHelp } from './help-text.js';

export async function doReread(ctx: CommandContext, arg: string): Promise<undefined> {
  if (arg !== '') {
    ctx.output('Error: reread accepts no arguments');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'reread');
    return undefined;
  }
  let added: string[], changed: string[], removed: string[];
  try {
    [[added, changed, removed]] = await ctx.api().reloadConfig();
  } catch (error) {
    const fault = faultOf(error);
    if (fault === null) throw error;
    ctx.exitstatus = LSB_INIT.GENERIC;
    if (fault.faultCode === FAULTS.SHUTDOWN_STATE.code) ctx.output('ERROR: supervisor shutting down');
    else if (fault.faultCode === FAULTS.CANT_REREAD.code) ctx.output(`ERROR: ${fault.faultString}`);
    else throw error;
    return undefined;
  }
  for (const line of changeLines(added, changed, removed)) ctx.output(line);
  return undefined;
}

export const rereadCommand: Command = { name: 'reread', run: doReread };
