// update [all | group ...]: supervisorctl's do_update (no upcheck): reread, then stop and
// remove vanished groups, restart changed ones, add new ones.

import { FAULTS } from '../../errors.js';
import { words, type Command, type CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { alreadyShuttingDown } from './shutdown-state.js';

export async function doUpdate(ctx: CommandContext, arg: string): Promise<undefined> {
  const log = (name: string, message: string): void => {
    ctx.output(`${name}: ${message}`);
  };
  const supervisor = ctx.api();
  let added: string[], changed: string[], removed: string[];
  try {
    [[added, changed, removed]] = await supervisor.reloadConfig();
  } catch (error) {
    alreadyShuttingDown(ctx, error);
    return undefined;
  }
  let valid = new Set(words(arg));
  // "all" means the same as no names.
  if (valid.has('all')) valid = new Set();
  if (valid.size > 0) {
    const groups = new Set((await supervisor.getAllProcessInfo()).map((info) => info.group));
    for (const name of added) groups.add(name);
    for (const gname of valid) {
      if (!groups.has(gname)) {
        ctx.output(`ERROR: no such group: ${gname}`);
        ctx.exitstatus = LSB_INIT.GENERIC;
      }
    }
  }
  const wanted = (gname: string): boolean => valid.size === 0 || valid.has(gname);

  for (const gname of removed.filter(wanted)) {
    const results = await supervisor.stopProcessGroup(gname);
    log(gname, 'stopped');
    if (results.some((r) => r.status === FAULTS.FAILED.code)) {
      ctx.output(`${gname}: has problems; not removing`);
      ctx.exitstatus = LSB_INIT.GENERIC;
      continue;
    }
    await supervisor.removeProcessGroup(gname);
    log(gname, 'removed process group');
  }
  for (const gname of changed.filter(wanted)) {
    await supervisor.stopProcessGroup(gname);
    log(gname, 'stopped');
    await supervisor.removeProcessGroup(gname);
    await supervisor.addProcessGroup(gname);
    log(gname, 'updated process group');
  }
  for (const gname of added.filter(wanted)) {
    await supervisor.addProcessGroup(gname);
    log(gname, 'added process group');
  }
  return undefined;
}

export const updateCommand: Command = { name: 'update', run: doUpdate };
