// tail [-f|-N] <name> [stdout|stderr]: supervisorctl's do_tail.

import { FAULTS } from '../../errors.js';
import { pyInt, words, type Command, type CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { faultOf, pyRepr } from '../failures.js';
import { follow } from './follow.js';
import { showHelp } from './help-text.js';

/** supervisorctl's default: the last 1600 bytes. */
export const TAIL_BYTES = 1600;

export async function doTail(ctx: CommandContext, arg: string): Promise<undefined> {
  if (!(await ctx.upcheck())) return undefined;
  const args = words(arg);
  if (args.length < 1 || args.length > 3) {
    ctx.output(args.length < 1 ? 'Error: too few arguments' : 'Error: too many arguments');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'tail');
    return undefined;
  }
  const modifier = args[0]?.startsWith('-') === true ? args.shift() : undefined;
  let name: string;
  let channel = 'stdout';
  if (args.length === 1) {
    name = args[0] ?? '';
  } else {
    const first = args[0];
    if (first === undefined) {
      ctx.output('Error: tail requires process name');
      ctx.exitstatus = LSB_INIT.GENERIC;
      return undefined;
    }
    name = first;
    channel = (args[args.length - 1] ?? '').toLowerCase();
    if (channel !== 'stderr' && channel !== 'stdout') {
      ctx.output(`Error: bad channel ${pyRepr(channel)}`);
      ctx.exitstatus = LSB_INIT.GENERIC;
      return undefined;
    }
  }
  let bytes: number | null = TAIL_BYTES;
  if (modifier !== undefined) {
    const what = modifier.slice(1);
    bytes = what === 'f' ? null : pyInt(what);
    if (what !== 'f' && bytes === null) {
      ctx.output(`Error: bad argument ${modifier}`);
      ctx.exitstatus = LSB_INIT.GENERIC;
      return undefined;
    }
  }
  const supervisor = ctx.api();
  if (bytes === null) return follow(ctx, `/logtail/${name}/${channel}`);
  const offset = bytes === 0 ? 0 : -bytes;
  let output: string;
  try {
    output = channel === 'stdout'
      ? await supervisor.readProcessStdoutLog(name, offset, 0)
      : await supervisor.readProcessStderrLog(name, offset, 0);
  } catch (error) {
    const fault = faultOf(error);
    if (fault === null) throw error;
    ctx.exitstatus = LSB_INIT.GENERIC;
    if (fault.faultCode === FAULTS.NO_FILE.code) ctx.output(`${name}: ERROR (no log file)`);
    else if (fault.faultCode === FAULTS.FAILED.code) ctx.output(`${name}: ERROR (unknown error reading log)`);
    else if (fault.faultCode === FAULTS.BAD_NAME.code) ctx.output(`${name}: ERROR (no such process name)`);
    else throw error;
    return undefined;
  }
  ctx.output(output);
  return undefined;
}

export const tailCommand: Command = { name: 'tail', run: doTail };
