// status [name|group:*|all ...] [--json]: supervisorctl's do_status. `--json` (our addition)
// prints the matching getProcessInfo structs as a JSON array, name errors going to stderr.

import type { ProcessInfo } from '../../api/control-api.js';
import { words, type Command, type CommandContext } from '../context.js';
import { LSB_STATUS, STOPPED_STATES } from '../exit-codes.js';
import { splitNamespec, statusJson, statusLines } from '../render.js';

export async function doStatus(ctx: CommandContext, arg: string): Promise<undefined> {
  // Even a failed connection exits 4 (UNKNOWN) for status.
  if (!(await ctx.upcheck())) {
    ctx.exitstatus = LSB_STATUS.UNKNOWN;
    return undefined;
  }
  const allInfos = await ctx.api().getAllProcessInfo();
  const given = words(arg);
  const json = given.includes('--json');
  const names = given.filter((n) => n !== '--json');
  let matching: ProcessInfo[];
  if (names.length === 0 || names.includes('all')) {
    matching = allInfos;
  } else {
    matching = [];
    for (const name of names) {
      const [group, process] = splitNamespec(name);
      const found = allInfos.filter((info) => info.group === group && (process === null || info.name === process));
      matching.push(...found);
      if (found.length === 0) {
        const message = process === null ? `${group}: ERROR (no such group)` : `${name}: ERROR (no such process)`;
        if (json) ctx.terminal.writeError(`${message}\n`);
        else ctx.output(message);
        ctx.exitstatus = LSB_STATUS.UNKNOWN;
      }
    }
  }
  if (json) ctx.output(statusJson(matching));
  else {
    const lines = statusLines(matching, ctx.terminal.colour);
    // One write for them all: a thousand writes to a pipe cost more than rendering the lines.
    if (lines.length > 0) ctx.output(lines.join('\n'));
  }
  if (matching.some((info) => STOPPED_STATES.includes(info.state))) ctx.exitstatus = LSB_STATUS.NOT_RUNNING;
  return undefined;
}

export const statusCommand: Command = { name: 'status', run: doStatus };
