// The answer of reload and update (supervisorctl's do_reload / do_update) when the server
// refuses because it is already stopping: a fault other than SHUTDOWN_STATE is re-raised.

import { FAULTS } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { LSB_INIT } from '../exit-codes.js';
import { faultOf } from '../failures.js';

export function alreadyShuttingDown(ctx: CommandContext, error: unknown): void {
  const fault = faultOf(error);
  if (fault === null) throw error;
  ctx.exitstatus = LSB_INIT.GENERIC;
  if (fault.faultCode !== FAULTS.SHUTDOWN_STATE.code) throw error;
  ctx.output('ERROR: already shutting down');
}
