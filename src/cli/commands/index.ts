// Every tssupervisorctl command by name (supervisorctl's DefaultControllerPlugin plus the
// Controller's own help and EOF).

import type { Command } from '../context.js';
import { addCommand } from './add.js';
import { availCommand } from './avail.js';
import { clearCommand } from './clear.js';
import { fgCommand } from './fg.js';
import { helpCommand } from './help.js';
import { historyCommand } from './history.js';
import { maintailCommand } from './maintail.js';
import { openCommand } from './open.js';
import { pidCommand } from './pid.js';
import { eofCommand, exitCommand, quitCommand } from './quit.js';
import { reloadCommand } from './reload.js';
import { removeCommand } from './remove.js';
import { rereadCommand } from './reread.js';
import { restartCommand } from './restart.js';
import { shutdownCommand } from './shutdown.js';
import { signalCommand } from './signal.js';
import { startCommand } from './start.js';
import { statusCommand } from './status.js';
import { stopCommand } from './stop.js';
import { tailCommand } from './tail.js';
import { updateCommand } from './update.js';
import { versionCommand } from './version.js';

export const COMMANDS: ReadonlyMap<string, Command> = new Map([
  addCommand, availCommand, clearCommand, eofCommand, exitCommand, fgCommand, helpCommand, historyCommand, maintailCommand,
  openCommand, pidCommand, quitCommand, reloadCommand, removeCommand, rereadCommand, restartCommand,
  shutdownCommand, signalCommand, startCommand, statusCommand, stopCommand, tailCommand, updateCommand, versionCommand,
].map((command) => [command.name, command]));
