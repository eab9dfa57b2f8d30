// Every reason tssupervisord refuses to start that the config (and who runs it) decides, in one
// place: a start's preflight and --check both ask here, so --check cannot say OK for a config a
// start then refuses. What depends on the moment rather than the config (another daemon holding
// the pidfile or the socket, a port in use) is the start's alone: --check is run beside the
// daemon it checks for, before a reread or a restart.

import { systemHost } from '../config/system-host.js';
import type { UserEntry } from '../config/host.js';
import type { DaemonConfig } from '../config/schema.js';
import { checkInetSecurity } from '../server/listen.js';
import { checkSocketFolder } from '../server/unix-socket.js';
import { ensureMinFds } from './limits.js';

export interface StartupRefusals {
  /** Each a full sentence saying what is wrong and what to do; empty = nothing refuses. */
  readonly refusals: readonly string[];
  /** What was done to make the start possible (raised RLIMIT_NOFILE), for the daemon's log. */
  readonly notes: readonly string[];
}

/**
 * The user `[supervisord] user=` drops privileges to, or null when there is nothing to drop;
 * throws supervisord's refusal when it cannot be done (options.py drop_privileges).
 */
export function privilegeTarget(user: string | null): UserEntry | null {
  if (user === null) return null;
  const entry = systemHost().lookupUser(user);
  if (entry === undefined) throw new Error(`Can't find username ${JSON.stringify(user)}`);
  if (process.getuid?.() === entry.uid) return null;
  if (process.getuid?.() !== 0) throw new Error("Can't drop privilege as nonroot user");
  return entry;
}

/**
 * Runs every check (not only up to the first refusal) so the operator sees them all at once.
 * minfds is really raised when it can be: the only way to know a raise works is to do it, and
 * raising our own limit harms nothing (--check exits right after).
 */
export function startupRefusals(config: DaemonConfig): StartupRefusals {
  const refusals: string[] = [];
  const notes: string[] = [];
  const check = (step: () => string | null | undefined): void => {
    try {
      const note = step();
      if (typeof note === 'string') notes.push(note);
    } catch (error) {
      refusals.push((error as Error).message);
    }
  };
  for (const server of config.inetServers) check(() => { checkInetSecurity(server); return null; });
  for (const server of config.unixServers) check(() => { checkSocketFolder(server); return null; });
  check(() => ensureMinFds(config.supervisord.minfds));
  check(() => { privilegeTarget(config.supervisord.user); return null; });
  return { refusals, notes };
}
