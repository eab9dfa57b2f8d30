// Tab completion of the shell (Controller.complete): command names, then group or process
// names depending on the command. Pure: the process list is passed in.

import type { ProcessInfo } from '../api/control-api.js';

/** readline's default completer delimiters minus `:`, `*` and `-` (supervisorctl keeps `g:*`, `a-b` whole). */
const DELIMS = new Set(' \t\n`~!@#$%^&()=+[{]}\\|;\'",<>/?');

/** The word being completed: the end of `line` after its last delimiter. */
export function completionWord(line: string): string {
  let i = line.length;
  while (i > 0 && !DELIMS.has(line.charAt(i - 1))) i--;
  return line.slice(i);
}

export type CompletionKind = 'actions' | 'groups' | 'processes' | 'none';

const PROCESS_COMMANDS = new Set(['clear', 'fg', 'history', 'pid', 'restart', 'signal', 'start', 'status', 'stop', 'tail']);

/** What the word at the end of `line` completes to. */
export function completionKind(line: string): CompletionKind {
  if (line.trim() === '') return 'actions';
  const parts = line.split(/\s+/u).filter((w) => w !== '');
  const action = parts[0] ?? '';
  if (parts.length === 1 && !line.endsWith(' ')) return 'actions';
  // supervisorctl tests `action in ('help')`, a substring test on the string 'help'.
  if ('help'.includes(action)) return 'actions';
  if (action === 'add' || action === 'remove' || action === 'update') return 'groups';
  if (PROCESS_COMMANDS.has(action)) return 'processes';
  return 'none';
}

export function completeActions(text: string, vocab: readonly string[]): string[] {
  return [...new Set(vocab)].filter((a) => a.startsWith(text)).map((a) => `${a} `);
}

export function completeGroups(text: string, infos: readonly ProcessInfo[]): string[] {
  const groups = [...new Set(infos.map((info) => info.group))];
  return groups.filter((g) => g.startsWith(text)).map((g) => `${g} `);
}

export function completeProcesses(text: string, infos: readonly ProcessInfo[]): string[] {
  const names: string[] = [];
  for (const info of infos) {
    if (text.includes(':') || info.name !== info.group) {
      names.push(`${info.group}:${info.name}`);
      if (!names.includes(`${info.group}:*`)) names.push(`${info.group}:*`);
    } else {
      names.push(info.name);
    }
  }
  return names.filter((p) => p.startsWith(text)).map((p) => `${p} `);
}
