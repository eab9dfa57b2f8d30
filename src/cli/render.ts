// Everything tssupervisorctl prints, as pure functions of the data: status lines, per-process
// result lines, avail/reread lines, help texts and the help index. Strings are copied from
// supervisorctl.py 4.2.5 (tabs included), so the output is byte-for-byte supervisorctl's.

import type { ConfigInfo, ProcessInfo, ProcessResult } from '../api/control-api.js';
import { FAULTS } from '../errors.js';
import { PythonError } from './failures.js';
import { RESET, stateColour } from './colour.js';
import { makeNamespec, splitNamespec } from '../api/namespec.js';

export { makeNamespec, splitNamespec } from '../api/namespec.js';

/** The code points of `text` (Python's len() and indexing count these). */
const codePoints = (text: string): string[] => Array.from(text);

/** Python's `'%-Ns' % s` / str.ljust: pads to `width` code points. */
export function ljust(text: string, width: number): string {
  const length = codePoints(text).length;
  return length >= width ? text : text + ' '.repeat(width - length);
}

/**
 * Controller._show_statuses: `'%(namespec)-' + (max(30, longest)+3) + 's%(state)-10s%(desc)s'`.
 * With `colour`, the state name alone is wrapped in its SGR code and the padding stays outside
 * it, so the columns line up exactly as in the plain lines.
 */
export function statusLines(infos: readonly ProcessInfo[], colour = false): string[] {
  const namespecs = infos.map((info) => makeNamespec(info.group, info.name));
  const maxlen = namespecs.reduce((max, n) => Math.max(max, codePoints(n).length), 30);
  const state = (info: ProcessInfo): string => {
    const padded = ljust(info.statename, 10);
    const code = colour ? stateColour(info.statename, info.exitstatus) : null;
    return code === null ? padded : code + info.statename + RESET + padded.slice(info.statename.length);
  };
  return infos.map((info, i) => ljust(namespecs[i] ?? '', maxlen + 3) + state(info) + info.description);
}

/** `status --json` (our addition): the matching getProcessInfo structs as a JSON array. */
export function statusJson(infos: readonly ProcessInfo[]): string {
  return JSON.stringify(infos, null, 2);
}

/** A result struct for a single-process call that faulted, as supervisorctl builds it. */
export function faultResult(namespec: string, faultCode: number, faultString: string): ProcessResult {
  const [group, name] = splitNamespec(namespec);
  return { group, name: name ?? 'None', status: faultCode, description: faultString };
}

function unknownResult(result: ProcessResult): never {
  throw new PythonError('ValueError', `Unknown result code ${result.status} for ${makeNamespec(result.group, result.name)}`);
}

const errorLine = (name: string, what: string): string => `${name}: ERROR (${what})`;

/** DefaultControllerPlugin._startresult. */
export function startResultLine(result: ProcessResult): string {
  const name = makeNamespec(result.group, result.name);
  switch (result.status) {
    case FAULTS.BAD_NAME.code: return errorLine(name, 'no such process');
    case FAULTS.NO_FILE.code: return errorLine(name, 'no such file');
    case FAULTS.NOT_EXECUTABLE.code: return errorLine(name, 'file is not executable');
    case FAULTS.ALREADY_STARTED.code: return errorLine(name, 'already started');
    case FAULTS.SPAWN_ERROR.code: return errorLine(name, 'spawn error');
    case FAULTS.ABNORMAL_TERMINATION.code: return errorLine(name, 'abnormal termination');
    case FAULTS.SUCCESS.code: return `${name}: started`;
    default: return unknownResult(result);
  }
}

/** DefaultControllerPlugin._signalresult (and _stopresult with success='stopped'). */
export function signalResultLine(result: ProcessResult, success = 'signalled'): string {
  const name = makeNamespec(result.group, result.name);
  switch (result.status) {
    case FAULTS.BAD_NAME.code: return errorLine(name, 'no such process');
    case FAULTS.BAD_SIGNAL.code: return errorLine(name, 'bad signal name');
    case FAULTS.NOT_RUNNING.code: return errorLine(name, 'not running');
    case FAULTS.SUCCESS.code: return `${name}: ${success}`;
    case FAULTS.FAILED.code: return result.description;
    default: return unknownResult(result);
  }
}

export function stopResultLine(result: ProcessResult): string {
  return signalResultLine(result, 'stopped');
}

/** DefaultControllerPlugin._clearresult. */
export function clearResultLine(result: ProcessResult): string {
  const name = makeNamespec(result.group, result.name);
  switch (result.status) {
    case FAULTS.BAD_NAME.code: return errorLine(name, 'no such process');
    case FAULTS.FAILED.code: return errorLine(name, 'failed');
    case FAULTS.SUCCESS.code: return `${name}: cleared`;
    default: return unknownResult(result);
  }
}

/** Python truthiness of a config-info value (`if configinfo['inuse']:`). */
function truthy(value: ConfigInfo[string] | undefined): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== undefined && value !== false && value !== 0 && value !== '';
}

/** DefaultControllerPlugin._formatConfigInfo: `'%(name)-32s %(inuse)-9s %(autostart)-9s %(priority)s'`. */
export function availLine(info: ConfigInfo): string {
  const name = makeNamespec(String(info['group']), String(info['name']));
  const inuse = truthy(info['inuse']) ? 'in use' : 'avail';
  const autostart = truthy(info['autostart']) ? 'auto' : 'manual';
  const priority = `${String(info['group_prio'])}:${String(info['process_prio'])}`;
  return `${ljust(name, 32)} ${ljust(inuse, 9)} ${ljust(autostart, 9)} ${priority}`;
}

/** DefaultControllerPlugin._formatChanges: `name: available|changed|disappeared`, sorted by name. */
export function changeLines(added: readonly string[], changed: readonly string[], dropped: readonly string[]): string[] {
  const changes = new Map<string, string>();
  for (const [names, what] of [[added, 'available'], [changed, 'changed'], [dropped, 'disappeared']] as const) {
    for (const name of names) changes.set(name, what);
  }
  if (changes.size === 0) return ['No config updates to processes'];
  return [...changes.keys()].sort(compareCodePoints).map((name) => `${name}: ${changes.get(name) ?? ''}`);
}

/** Python's default str ordering (by code point). */
export function compareCodePoints(a: string, b: string): number {
  const aa = codePoints(a);
  const bb = codePoints(b);
  for (let i = 0; i < Math.min(aa.length, bb.length); i++) {
    const d = (aa[i]?.codePointAt(0) ?? 0) - (bb[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return aa.length - bb.length;
}

/** cmd.Cmd.columnize: the fewest rows whose columns fit in `width`, columns two spaces apart. */
export function columnize(items: readonly string[], width = 80): string[] {
  if (items.length === 0) return ['<empty>'];
  if (items.length === 1) return [items[0] ?? ''];
  const size = items.length;
  const len = (s: string): number => codePoints(s).length;
  let nrows = size;
  let ncols = 1;
  let colwidths = [0];
  for (let rows = 1; rows < size; rows++) {
    const cols = Math.ceil(size / rows);
    const widths: number[] = [];
    let total = -2;
    for (let col = 0; col < cols; col++) {
      let colwidth = 0;
      for (let row = 0; row < rows; row++) {
        const i = row + rows * col;
        if (i >= size) break;
        colwidth = Math.max(colwidth, len(items[i] ?? ''));
      }
      widths.push(colwidth);
      total += colwidth + 2;
      if (total > width) break;
    }
    if (total <= width) {
      nrows = rows;
      ncols = cols;
      colwidths = widths;
      break;
    }
  }
  const lines: string[] = [];
  for (let row = 0; row < nrows; row++) {
    const texts: string[] = [];
    for (let col = 0; col < ncols; col++) {
      const i = row + nrows * col;
      texts.push(i >= size ? '' : items[i] ?? '');
    }
    while (texts.length > 0 && texts[texts.length - 1] === '') texts.pop();
    lines.push(texts.map((t, col) => ljust(t, colwidths[col] ?? 0)).join('  '));
  }
  return lines;
}

/** `help` with no topic: a blank line, cmd.Cmd.print_topics(header, names, 15, 80). */
export function helpIndexLines(commandNames: readonly string[]): string[] {
  const header = 'default commands (type help <topic>):';
  return ['', header, '='.repeat(header.length), ...columnize(commandNames, 79), ''];
}

/** cmd.Cmd.nohelp. */
export const noHelpLine = (topic: string): string => `*** No help on ${topic}`;

/**
 * The help_<command> texts, one entry per `self.ctl.output(...)` call (an entry may hold
 * several lines, exactly as supervisorctl.py writes them).
 */
export const HELP: Readonly<Record<string, readonly string[]>> = {
  help: ['help\t\tPrint a list of available actions', 'help <action>\tPrint help for <action>'],
  tail: [
    'tail [-f] <name> [stdout|stderr] (default stdout)\n'
    + 'Ex:\n'
    + 'tail -f <name>\t\tContinuous tail of named process stdout\n'
    + '\t\t\tCtrl-C to exit.\n'
    + 'tail -100 <name>\tlast 100 *bytes* of process stdout\n'
    + 'tail <name> stderr\tlast 1600 *bytes* of process stderr',
  ],
  maintail: [
    'maintail -f \tContinuous tail of supervisor main log file (Ctrl-C to exit)\n'
    + 'maintail -100\tlast 100 *bytes* of supervisord main log file\n'
    + 'maintail\tlast 1600 *bytes* of supervisor main log file\n',
  ],
  quit: ['quit\tExit the supervisor shell.'],
  exit: ['exit\tExit the supervisor shell.'],
  status: [
    'status <name>\t\tGet status for a single process',
    'status <gname>:*\tGet status for all processes in a group',
    'status <name> <name>\tGet status for multiple named processes',
    'status\t\t\tGet all process status info',
  ],
  pid: [
    'pid\t\t\tGet the PID of supervisord.',
    'pid <name>\t\tGet the PID of a single child process by name.',
    'pid all\t\t\tGet the PID of every child process, one per line.',
  ],
  start: [
    'start <name>\t\tStart a process',
    'start <gname>:*\t\tStart all processes in a group',
    'start <name> <name>\tStart multiple processes or groups',
    'start all\t\tStart all processes',
  ],
  stop: [
    'stop <name>\t\tStop a process',
    'stop <gname>:*\t\tStop all processes in a group',
    'stop <name> <name>\tStop multiple processes or groups',
    'stop all\t\tStop all processes',
  ],
  signal: [
    'signal <signal name> <name>\t\tSignal a process',
    'signal <signal name> <gname>:*\t\tSignal all processes in a group',
    'signal <signal name> <name> <name>\tSignal multiple processes or groups',
    'signal <signal name> all\t\tSignal all processes',
  ],
  restart: [
    'restart <name>\t\tRestart a process',
    'restart <gname>:*\tRestart all processes in a group',
    'restart <name> <name>\tRestart multiple processes or groups',
    'restart all\t\tRestart all processes',
    'Note: restart does not reread config files. For that, see reread and update.',
  ],
  shutdown: ['shutdown \tShut the remote supervisord down.'],
  reload: ['reload \t\tRestart the remote supervisord.'],
  avail: ['avail\t\t\tDisplay all configured processes'],
  reread: ["reread \t\t\tReload the daemon's configuration files without add/remove"],
  add: ['add <name> [...]\tActivates any updates in config for process/group'],
  remove: ['remove <name> [...]\tRemoves process/group from active config'],
  update: [
    'update\t\t\tReload config and add/remove as necessary, and will restart affected programs',
    'update all\t\tReload config and add/remove as necessary, and will restart affected programs',
    'update <gname> [...]\tUpdate specific groups',
  ],
  clear: [
    "clear <name>\t\tClear a process' log files.",
    "clear <name> <name>\tClear multiple process' log files",
    "clear all\t\tClear all process' log files",
  ],
  open: ['open <url>\tConnect to a remote supervisord process.', '\t\t(for UNIX domain socket, use unix:///socket/path)'],
  version: ['version\t\t\tShow the version of the remote supervisord process'],
  fg: ['fg <process>\tConnect to a process in foreground mode', '\t\tCtrl-C to exit'],
  history: [
    'history <name>\t\tLast ends of a process, newest first: when, how, how long it ran, last output',
    'history <name> <name>\tLast ends of multiple processes',
  ],
};
