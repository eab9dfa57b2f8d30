// The Controller's own lines (upcheck's complaints, unknown syntax, an uncaught error), apart
// from render.ts so that a one-shot command does not load every command's help text with them.

import { PythonError } from './failures.js';

/** cmd.Cmd.default. */
export const unknownSyntaxLine = (line: string): string => `*** Unknown syntax: ${line}`;

/** Controller.upcheck's complaint about an API version other than ours. */
export function apiVersionMismatchLine(expected: string, remote: string): string {
  return `Sorry, this version of supervisorctl expects to talk to a server with API version ${expected}, `
    + `but the remote version is ${remote}.`;
}

export const NO_RPC_NAMESPACE_LINE = 'Sorry, supervisord responded but did not recognize the supervisor namespace commands '
  + 'that supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] section is enabled in the '
  + 'configuration file (see sample.conf).';

/** onecmd's report of an exception a command did not handle (without Python's file/line). */
export function uncaughtLine(error: unknown): string {
  const { pythonClass, pythonValue } = PythonError.describe(error);
  return `error: <class '${pythonClass}'>, ${pythonValue}`;
}
