// Restarts the daemon under its V8 flags (node-flags.ts) when node was started without them, in
// place: execv keeps the pid (a pid file, systemd, PID 1 in a container see one process), the
// descriptors and the environment. It runs first, before the daemon's modules load, so the cost
// is one bare node start (~40 ms). Without the native addon, or if execv fails, the daemon just
// runs as started: the flags save memory, nothing depends on them.

import { loadNativeAddon } from '../host/native-addon.js';
import { missingNodeFlags, wantedNodeFlags } from './node-flags.js';

/** Set across the execv, so that a node that ignored a flag cannot make us relaunch for ever. */
const RELAUNCHED_ENV = 'TSSUPERVISORD_RELAUNCHED';

export function relaunchWithNodeFlags(): void {
  if (process.env[RELAUNCHED_ENV] !== undefined) {
    // Children must not inherit it (node's process.env writes through to the real environment).
    Reflect.deleteProperty(process.env, RELAUNCHED_ENV);
    return;
  }
  const missing = missingNodeFlags(process.execArgv, wantedNodeFlags(process.env));
  const script = process.argv[1];
  if (missing.length === 0 || script === undefined) return;
  const addon = loadNativeAddon();
  if ('missing' in addon || addon.execv === undefined) return;
  process.env[RELAUNCHED_ENV] = '1';
  addon.execv(process.execPath, [process.argv0, ...process.execArgv, ...missing, script, ...process.argv.slice(2)]);
  // Still here: execv failed. Run as we are.
  Reflect.deleteProperty(process.env, RELAUNCHED_ENV);
}
