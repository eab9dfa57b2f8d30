// start <name|group:*|all> ...: supervisorctl's do_start.

import { FAULTS } from '../../errors.js';
import { words, type Command, type CommandContext } from '../context.js';
import { exitStatusAfterResult, LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';
import { faultResult, makeNamespec, splitNamespec, startResultLine } from '../render.js';
import { showHelp } from './help-text.js';
import type { ProcessResult } from '../../api/control-api.js';

const IGNORED = FAULTS.ALREADY_STARTED.code;

function report(ctx: CommandContext, result: ProcessResult): void {
  ctx.output(startResultLine(result));
  ctx.exitstatus = exitStatusAfterResult(ctx.exitstatus, result.status, IGNORED);
}

export async function doStart(ctx: CommandContext, arg: string): Promise<undefined> {
  if (!(await ctx.upcheck())) return undefined;
  const names = words(arg);
  const supervisor = ctx.api();
  if (names.length === 0) {
    ctx.output('Error: start requires a process name');
    ctx.exitstatus = LSB_INIT.INVALID_ARGS;
    showHelp(ctx, 'start');
    return undefined;
  }
  if (names.includes('all')) {
    for (const result of await supervisor.startAllProcesses()) report(ctx, result);
    return undefined;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    if (process === null) {
      try {
        for (const result of await supervisor.startProcessGroup(group)) report(ctx, result);
      } catch (error) {
        if (faultOf(error)?.faultCode !== FAULTS.BAD_NAME.code) {
          ctx.exitstatus = LSB_INIT.GENERIC;
          throw error;
        }
        ctx.output(`${group}: ERROR (no such group)`);
        ctx.exitstatus = LSB_INIT.INVALID_ARGS;
      }
      continue;
    }
    try {
      await supervisor.startProcess(name);
    } catch (error) {
      const fault = faultOf(error);
      if (fault === null) throw error;
      report(ctx, faultResult(name, fault.faultCode, fault.faultString));
      continue;
    }
    ctx.output(`${makeNamespec(group, process)}: started`);
  }
  return undefined;
}

export const startCommand: Command = { name: 'start', run: doStart };
