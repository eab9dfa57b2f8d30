// stop <name|group:*|all> ...: supervisorctl's do_stop.

import { FAULTS } from '../../errors.js';
import { words, type Command, type CommandContext } from '../context.js';
import { exitStatusAfterResult, LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';
import { faultResult, makeNamespec, splitNamespec, stopResultLine } from '../render.js';
import { showHelp } from './help-text.js';
import type { ProcessResult } from '../../api/control-api.js';

const IGNORED = FAULTS.NOT_RUNNING.code;

function report(ctx: CommandContext, result: ProcessResult): void {
  ctx.output(stopResultLine(result));
  ctx.exitstatus = exitStatusAfterResult(ctx.exitstatus, result.status, IGNORED);
}

export async function doStop(ctx: CommandContext, arg: string): Promise<undefined> {
  if (!(await ctx.upcheck())) return undefined;
  const names = words(arg);
  const supervisor = ctx.api();
  if (names.length === 0) {
    ctx.output('Error: stop requires a process name');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'stop');
    return undefined;
  }
  if (names.includes('all')) {
    for (const result of await supervisor.stopAllProcesses()) report(ctx, result);
    return undefined;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    if (process === null) {
      try {
        for (const result of await supervisor.stopProcessGroup(group)) report(ctx, result);
      } catch (error) {
        ctx.exitstatus = LSB_INIT.GENERIC;
        if (faultOf(error)?.faultCode !== FAULTS.BAD_NAME.code) throw error;
        ctx.output(`${group}: ERROR (no such group)`);
      }
      continue;
    }
    try {
      await supervisor.stopProcess(name);
    } catch (error) {
      const fault = faultOf(error);
      if (fault === null) throw error;
      report(ctx, faultResult(name, fault.faultCode, fault.faultString));
      continue;
    }
    ctx.output(`${makeNamespec(group, process)}: stopped`);
  }
  return undefined;
}

export const stopCommand: Command = { name: 'stop', run: doStop };
