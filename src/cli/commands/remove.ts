// remove <group> ...: supervisorctl's do_remove (no upcheck).

import { FAULTS } from '../../errors.js';
import { words, type Command, type CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';

export async function doRemove(ctx: CommandContext, arg: string): Promise<undefined> {
  const supervisor = ctx.api();
  for (const name of words(arg)) {
    try {
      await supervisor.removeProcessGroup(name);
    } catch (error) {
      const fault = faultOf(error);
      if (fault === null) throw error;
      ctx.exitstatus = LSB_INIT.GENERIC;
      if (fault.faultCode === FAULTS.STILL_RUNNING.code) ctx.output(`ERROR: process/group still running: ${name}`);
      else if (fault.faultCode === FAULTS.BAD_NAME.code) ctx.output(`ERROR: no such process/group: ${name}`);
      else throw error;
      continue;
    }
    ctx.output(`${name}: removed process group`);
  }
  return undefined;
}

export const removeCommand: Command = { name: 'remove', run: doRemove };
