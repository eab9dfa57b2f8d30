// add <group> ...: supervisorctl's do_add (no upcheck).

import { FAULTS } from '../../errors.js';
import { words, type Command, type CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';

export async function doAdd(ctx: CommandContext, arg: string): Promise<undefined> {
  const supervisor = ctx.api();
  for (const name of words(arg)) {
    try {
      await supervisor.addProcessGroup(name);
    } catch (error) {
      const code = faultOf(error)?.faultCode;
      if (code === FAULTS.SHUTDOWN_STATE.code) {
        ctx.output('ERROR: shutting down');
        ctx.exitstatus = LSB_INIT.GENERIC;
      } else if (code === FAULTS.ALREADY_ADDED.code) {
        ctx.output('ERROR: process group already active');
      } else if (code === FAULTS.BAD_NAME.code) {
        ctx.output(`ERROR: no such process/group: ${name}`);
        ctx.exitstatus = LSB_INIT.GENERIC;
      } else {
        if (code !== undefined) ctx.exitstatus = LSB_INIT.GENERIC;
        throw error;
      }
      continue;
    }
    ctx.output(`${name}: added process group`);
  }
  return undefined;
}

export const addCommand: Command = { name: 'add', run: doAdd };
