// Every tssupervisorctl command by name (supervisorctl's DefaultControllerPlugin plus the
// Controller's own help and EOF). Each command's module is imported when the command first
// runs: a one-shot `tssupervisorctl pid` should not load tail, fg and update to find it.

import type { Command, CommandContext } from '../context.js';

type Loader = () => Promise<Command>;

const LOADERS: readonly (readonly [string, Loader])[] = [
  ['add', async () => (await import('./add.js')).addCommand],
  ['avail', async () => (await import('./avail.js')).availCommand],
  ['clear', async () => (await import('./clear.js')).clearCommand],
  ['EOF', async () => (await import('./quit.js')).eofCommand],
  ['exit', async () => (await import('./quit.js')).exitCommand],
  ['fg', async () => (await import('./fg.js')).fgCommand],
  ['help', async () => (await import('./help.js')).helpCommand],
  ['history', async () => (await import('./history.js')).historyCommand],
  ['maintail', async () => (await import('./maintail.js')).maintailCommand],
  ['open', async () => (await import('./open.js')).openCommand],
  ['pid', async () => (await import('./pid.js')).pidCommand],
  ['quit', async () => (await import('./quit.js')).quitCommand],
  ['reload', async () => (await import('./reload.js')).reloadCommand],
  ['remove', async () => (await import('./remove.js')).removeCommand],
  ['reread', async () => (await import('./reread.js')).rereadCommand],
  ['restart', async () => (await import('./restart.js')).restartCommand],
  ['shutdown', async () => (await import('./shutdown.js')).shutdownCommand],
  ['signal', async () => (await import('./signal.js')).signalCommand],
  ['start', async () => (await import('./start.js')).startCommand],
  ['status', async () => (await import('./status.js')).statusCommand],
  ['stop', async () => (await import('./stop.js')).stopCommand],
  ['tail', async () => (await import('./tail.js')).tailCommand],
  ['update', async () => (await import('./update.js')).updateCommand],
  ['version', async () => (await import('./version.js')).versionCommand],
];

/** A command that imports its module on first run. */
function lazyCommand(name: string, load: Loader): Command {
  let loaded: Promise<Command> | undefined;
  return {
    name,
    run: async (ctx: CommandContext, arg: string) => (await (loaded ??= load())).run(ctx, arg),
  };
}

export const COMMANDS: ReadonlyMap<string, Command> = new Map(LOADERS.map(([name, load]) => [name, lazyCommand(name, load)]));
