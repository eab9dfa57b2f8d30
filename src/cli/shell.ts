// The interactive `supervisor> ` shell (Controller.exec_cmdloop / cmd.Cmd.cmdloop): runs
// `status` first, then one command per line until quit/exit/EOF/Ctrl-C; keeps a readline
// history file when one is configured. Its exit status is always 0.

import { readFileSync, writeFileSync } from 'node:fs';
import type { ProcessInfo } from '../api/control-api.js';
import { completeActions, completeGroups, completeProcesses, completionKind, completionWord } from './completion.js';
import { KeyboardInterrupt, type Command, type CtlOptions } from './context.js';
import { Controller, type ServerConnector } from './controller.js';
import { NodeTerminal } from './terminal.js';

/** A readline history file (one entry a line, oldest first) as node:readline's newest-first list. */
export function readHistory(file: string | null): string[] {
  if (file === null) return [];
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '' && l !== '_HiStOrY_V2_').reverse();
  } catch {
    return [];
  }
}

export function writeHistory(file: string | null, newestFirst: readonly string[]): void {
  if (file === null) return;
  try {
    writeFileSync(file, [...newestFirst].reverse().map((l) => `${l}\n`).join(''));
  } catch {
    // supervisorctl ignores an unwritable history file.
  }
}

/** Completion for the shell: command names, group names or process names, per Controller.complete. */
export function shellCompleter(
  commands: ReadonlyMap<string, Command>, processes: () => Promise<ProcessInfo[]>,
): (line: string) => Promise<[string[], string]> {
  const vocab = ['help', ...[...commands.keys()].filter((n) => n !== 'EOF').sort()];
  return async (line) => {
    const text = completionWord(line);
    const kind = completionKind(line);
    if (kind === 'actions') return [completeActions(text, vocab), text];
    if (kind === 'groups') return [completeGroups(text, await processes()), text];
    if (kind === 'processes') return [completeProcesses(text, await processes()), text];
    return [[], text];
  };
}

/**
 * Runs the shell on `ctl` until the operator leaves; 'interrupted' when a Ctrl-C came while a
 * command was still running (the caller should then exit at once, as supervisorctl does).
 */
export async function runShell(
  options: CtlOptions, connector: ServerConnector, commands: ReadonlyMap<string, Command>,
): Promise<'done' | 'interrupted'> {
  // getAllProcessInfo is asked once per command line at most (Controller._complete_info).
  let cache: Promise<ProcessInfo[]> | null = null;
  const processes = (): Promise<ProcessInfo[]> => (cache ??= connector.api(options).getAllProcessInfo());
  let leave = (): void => undefined;
  const strayInterrupt = new Promise<void>((resolve) => {
    leave = resolve;
  });
  const terminal = new NodeTerminal({
    completer: shellCompleter(commands, processes),
    history: readHistory(options.historyFile),
    onStrayInterrupt: leave,
  });
  const ctl = new Controller(options, terminal, connector, commands);
  const run = async (): Promise<void> => {
    let done = await ctl.onecmd('status');
    while (!done) {
      const line = await terminal.readLine(`${ctl.options.prompt}> `);
      cache = null;
      done = await ctl.onecmd(line ?? 'EOF');
    }
  };
  try {
    const how = await Promise.race([run().then(() => 'done' as const), strayInterrupt.then(() => 'interrupted' as const)]);
    if (how === 'interrupted') ctl.output('');
    return how;
  } catch (error) {
    if (!(error instanceof KeyboardInterrupt)) throw error;
    ctl.output('');
    return 'done';
  } finally {
    writeHistory(ctl.options.historyFile, terminal.history());
    terminal.close();
  }
}
