// clear <name|all> ...: supervisorctl's do_clear.

import { words, type Command, type CommandContext } from '../context.js';
import { exitStatusAfterResult, LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';
import { clearResultLine, faultResult, makeNamespec, splitNamespec } from '../render.js';
import { showHelp } from './help-text.js';

export async function doClear(ctx: CommandContext, arg: string): Promise<undefined> {
  if (!(await ctx.upcheck())) return undefined;
  const names = words(arg);
  if (names.length === 0) {
    ctx.output('Error: clear requires a process name');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'clear');
    return undefined;
  }
  const supervisor = ctx.api();
  if (names.includes('all')) {
    for (const result of await supervisor.clearAllProcessLogs()) {
      ctx.output(clearResultLine(result));
      ctx.exitstatus = exitStatusAfterResult(ctx.exitstatus, result.status);
    }
    return undefined;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    try {
      await supervisor.clearProcessLogs(name);
    } catch (error) {
      const fault = faultOf(error);
      if (fault === null) throw error;
      const result = faultResult(name, fault.faultCode, fault.faultString);
      ctx.output(clearResultLine(result));
      ctx.exitstatus = exitStatusAfterResult(ctx.exitstatus, result.status);
      continue;
    }
    // supervisorctl prints Python's None for a `group:*` name.
    ctx.output(`${makeNamespec(group, process ?? 'None')}: cleared`);
  }
  return undefined;
}

export const clearCommand: Command = { name: 'clear', run: doClear };
