// avail: supervisorctl's do_avail (no upcheck).

import { FAULTS } from '../../errors.js';
import type { ConfigInfo } from '../../api/control-api.js';
import type { Command, CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';
import { availLine } from '../render.js';
import { showHelp } from './help-text.js';

export async function doAvail(ctx: CommandContext, arg: string): Promise<undefined> {
  if (arg !== '') {
    ctx.output('Error: avail accepts no arguments');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'avail');
    return undefined;
  }
  let infos: ConfigInfo[];
  try {
    infos = await ctx.api().getAllConfigInfo();
  } catch (error) {
    const fault = faultOf(error);
    if (fault === null) throw error;
    ctx.exitstatus = LSB_INIT.GENERIC;
    if (fault.faultCode !== FAULTS.SHUTDOWN_STATE.code) throw error;
    ctx.output('ERROR: supervisor shutting down');
    return undefined;
  }
  for (const info of infos) ctx.output(availLine(info));
  return undefined;
}

export const availCommand: Command = { name: 'avail', run: doAvail };
