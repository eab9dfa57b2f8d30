// open <url>: supervisorctl's do_open: switch server, then show its status (exit status kept).

import type { Command, CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { doStatus } from './status.js';

export async function doOpen(ctx: CommandContext, arg: string): Promise<undefined> {
  const url = arg.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/u.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'unix' && scheme !== 'http') {
    ctx.output('ERROR: url must be http:// or unix://');
    ctx.exitstatus = LSB_INIT.GENERIC;
    return undefined;
  }
  ctx.options.serverurl = url;
  const before = ctx.exitstatus;
  await doStatus(ctx, '');
  ctx.exitstatus = before;
  return undefined;
}

export const openCommand: Command = { name: 'open', run: doOpen };
