// maintail [-f|-N]: supervisorctl's do_maintail.

import { FAULTS } from '../../errors.js';
import { pyInt, words, type Command, type CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';
import { follow } from './follow.js';
import { showHelp } from './help-text.js';
import { TAIL_BYTES } from './tail.js';

export async function doMaintail(ctx: CommandContext, arg: string): Promise<undefined> {
  if (!(await ctx.upcheck())) return undefined;
  const args = words(arg);
  let bytes = TAIL_BYTES;
  if (args.length > 1) {
    ctx.output('Error: too many arguments');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'maintail');
    return undefined;
  }
  const only = args[0];
  if (only !== undefined) {
    const what = only.startsWith('-') ? only.slice(1) : null;
    if (what === 'f') return follow(ctx, '/mainlogtail');
    const n = what === null ? null : pyInt(what);
    if (n === null) {
      ctx.output(`Error: bad argument ${only}`);
      ctx.exitstatus = LSB_INIT.GENERIC;
      return undefined;
    }
    bytes = n;
  }
  let output: string;
  try {
    output = await ctx.api().readLog(bytes === 0 ? 0 : -bytes, 0);
  } catch (error) {
    const fault = faultOf(error);
    if (fault === null) throw error;
    ctx.exitstatus = LSB_INIT.GENERIC;
    if (fault.faultCode === FAULTS.NO_FILE.code) ctx.output('supervisord: ERROR (no log file)');
    else if (fault.faultCode === FAULTS.FAILED.code) ctx.output('supervisord: ERROR (unknown error reading log)');
    else throw error;
    return undefined;
  }
  ctx.output(output);
  return undefined;
}

export const maintailCommand: Command = { name: 'maintail', run: doMaintail };
