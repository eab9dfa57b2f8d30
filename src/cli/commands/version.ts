// version: supervisorctl's do_version, the remote supervisord's version.

import type { Command, CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { showHelp } from './help-text.js';

export async function doVersion(ctx: CommandContext, arg: string): Promise<undefined> {
  if (arg !== '') {
    ctx.output('Error: version accepts no arguments');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'version');
    return undefined;
  }
  if (!(await ctx.upcheck())) return undefined;
  ctx.output(await ctx.api().getSupervisorVersion());
  return undefined;
}

export const versionCommand: Command = { name: 'version', run: doVersion };
