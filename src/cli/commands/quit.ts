// quit, exit and EOF (^D): leave the shell after an empty line (Controller.do_EOF).

import type { Command, CommandContext } from '../context.js';

function leave(ctx: CommandContext): Promise<boolean> {
  ctx.output('');
  return Promise.resolve(true);
}

export const quitCommand: Command = { name: 'quit', run: leave };
export const exitCommand: Command = { name: 'exit', run: leave };
export const eofCommand: Command = { name: 'EOF', run: leave };
