// pid [name ...|all]: supervisorctl's do_pid.

import { FAULTS } from '../../errors.js';
import { words, type Command, type CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';

export async function doPid(ctx: CommandContext, arg: string): Promise<undefined> {
  const supervisor = ctx.api();
  if (!(await ctx.upcheck())) return undefined;
  const names = words(arg);
  if (names.length === 0) {
    ctx.output(String(await supervisor.getPID()));
    return undefined;
  }
  if (names.includes('all')) {
    for (const info of await supervisor.getAllProcessInfo()) ctx.output(String(info.pid));
    return undefined;
  }
  for (const name of names) {
    let pid: number;
    try {
      pid = (await supervisor.getProcessInfo(name)).pid;
    } catch (error) {
      const fault = faultOf(error);
      if (fault === null) throw error;
      ctx.exitstatus = LSB_INIT.GENERIC;
      if (fault.faultCode !== FAULTS.BAD_NAME.code) throw error;
      ctx.output(`No such process ${name}`);
      continue;
    }
    ctx.output(String(pid));
    if (pid === 0) ctx.exitstatus = LSB_INIT.NOT_RUNNING;
  }
  return undefined;
}

export const pidCommand: Command = { name: 'pid', run: doPid };
