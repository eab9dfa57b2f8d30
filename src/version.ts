// The supervisord version we are compatible with: supervisorctl and tools compare against it.
export const SUPERVISOR_VERSION = '4.2.5';
/** supervisord's XML-RPC API version; supervisorctl refuses a server that reports another. */
export const API_VERSION = '3.0';

/**
 * What `tssupervisord --version` and `tssupervisorctl version` print: our own release beside the
 * supervisord release we behave as. getSupervisorVersion stays SUPERVISOR_VERSION alone, since
 * supervisorctl and tools parse or compare that answer.
 */
export function versionLine(packageVersion: string): string {
  return `tssupervisor ${packageVersion} (supervisord ${SUPERVISOR_VERSION} compatible)`;
}
