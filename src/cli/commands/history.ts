// history <name> [<name> ...]: our addition. Each process's last ends (getProcessHistory),
// newest first: when, how, expected or not, how long it ran, why it was stopped, last lines.

import { FAULTS } from '../../errors.js';
import { words, type Command, type CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';
import { historyLines } from '../history-render.js';
import { showHelp } from './help-text.js';

export async function doHistory(ctx: CommandContext, arg: string): Promise<undefined> {
  if (!(await ctx.upcheck())) return undefined;
  const names = words(arg);
  if (names.length === 0) {
    ctx.output('ERROR: no process name supplied');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'history');
    return undefined;
  }
  for (const name of names) {
    try {
      for (const line of historyLines(name, await ctx.api().getProcessHistory(name))) ctx.output(line);
    } catch (error) {
      const fault = faultOf(error);
      if (fault?.faultCode !== FAULTS.BAD_NAME.code) throw error;
      ctx.output(`${name}: ERROR (no such process)`);
      ctx.exitstatus = LSB_INIT.GENERIC;
    }
  }
  return undefined;
}

export const historyCommand: Command = { name: 'history', run: doHistory };
