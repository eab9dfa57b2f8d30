// signal <SIG> <name|group:*|all> ...: supervisorctl's do_signal.

import { FAULTS } from '../../errors.js';
import { words, type Command, type CommandContext } from '../context.js';
import { exitStatusAfterResult, LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';
import { faultResult, makeNamespec, signalResultLine, splitNamespec } from '../render.js';
import { showHelp } from './help-text.js';
import type { ProcessResult } from '../../api/control-api.js';

function report(ctx: CommandContext, result: ProcessResult): void {
  ctx.output(signalResultLine(result));
  ctx.exitstatus = exitStatusAfterResult(ctx.exitstatus, result.status);
}

export async function doSignal(ctx: CommandContext, arg: string): Promise<undefined> {
  if (!(await ctx.upcheck())) return undefined;
  const args = words(arg);
  const [sig, ...names] = args;
  if (sig === undefined || names.length === 0) {
    ctx.output('Error: signal requires a signal name and a process name');
    showHelp(ctx, 'signal');
    ctx.exitstatus = LSB_INIT.GENERIC;
    return undefined;
  }
  const supervisor = ctx.api();
  if (names.includes('all')) {
    for (const result of await supervisor.signalAllProcesses(sig)) report(ctx, result);
    return undefined;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    if (process === null) {
      try {
        for (const result of await supervisor.signalProcessGroup(group, sig)) report(ctx, result);
      } catch (error) {
        if (faultOf(error)?.faultCode !== FAULTS.BAD_NAME.code) throw error;
        ctx.output(`${group}: ERROR (no such group)`);
        ctx.exitstatus = LSB_INIT.GENERIC;
      }
      continue;
    }
    try {
      await supervisor.signalProcess(name, sig);
    } catch (error) {
      const fault = faultOf(error);
      if (fault === null) throw error;
      report(ctx, faultResult(name, fault.faultCode, fault.faultString));
      continue;
    }
    ctx.output(`${makeNamespec(group, process)}: signalled`);
  }
  return undefined;
}

export const signalCommand: Command = { name: 'signal', run: doSignal };
