// What a child's environment is made of (process.py _spawn_as_child): the daemon's environment,
// SUPERVISOR_*, then the program's environment=. Built at each spawn and let go once the child
// has it: 1000 programs would otherwise hold 1000 copies of ~40 variables (~2 KB each).

import type { ProcessConfig } from '../config/schema.js';

export type DaemonEnvironment = Readonly<Record<string, string>>;

/**
 * The daemon's environment, read once: every child's copy then shares these value strings (each
 * read of process.env makes fresh ones, so a copy per child would also copy every value).
 */
export function daemonEnvironment(env: Readonly<Record<string, string | undefined>>): DaemonEnvironment {
  const copy: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) copy[k] = v;
  return Object.freeze(copy);
}

/** Environment of a child: daemon env, SUPERVISOR_*, then config. */
export function childEnvironment(daemonEnv: DaemonEnvironment, process: ProcessConfig, serverUrl: string | null): Record<string, string> {
  const env: Record<string, string> = { ...daemonEnv };
  env['SUPERVISOR_ENABLED'] = '1';
  const url = process.serverurl ?? serverUrl;
  if (url !== null) env['SUPERVISOR_SERVER_URL'] = url;
  env['SUPERVISOR_PROCESS_NAME'] = process.name;
  env['SUPERVISOR_GROUP_NAME'] = process.group;
  return Object.assign(env, process.environment);
}
