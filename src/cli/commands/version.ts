// version: supervisorctl's do_version, but our own version beside the supervisord version we are
// compatible with (the remote's getSupervisorVersion is that number for our daemon). The upcheck
// stays, so an unreachable or incompatible server fails exactly as with supervisorctl.

import type { Command, CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { packageVersion } from '../../package-version.js';
import { versionLine } from '../../version.js';
import { showHelp } from './help-text.js';

export async function doVersion(ctx: CommandContext, arg: string): Promise<undefined> {
  if (arg !== '') {
    ctx.output('Error: version accepts no arguments');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'version');
    return undefined;
  }
  if (!(await ctx.upcheck())) return undefined;
  ctx.output(versionLine(packageVersion()));
  return undefined;
}

export const versionCommand: Command = { name: 'version', run: doVersion };
