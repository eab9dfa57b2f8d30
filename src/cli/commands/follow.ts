// DefaultControllerPlugin._tailf: streams a /logtail or /mainlogtail path to stdout until the
// server ends it or Ctrl-C (which prints an empty line).

import type { CommandContext } from '../context.js';

export async function follow(ctx: CommandContext, path: string): Promise<undefined> {
  ctx.output('==> Press Ctrl-C to exit <==');
  const handle = ctx.stream(path, {
    data: (text) => {
      ctx.terminal.write(text);
    },
    error: (line) => {
      ctx.terminal.writeError(`${line}\n`);
    },
  });
  const interrupt = ctx.terminal.interrupted();
  try {
    const how = await Promise.race([handle.done.then(() => 'done' as const), interrupt.promise.then(() => 'interrupted' as const)]);
    if (how === 'interrupted') {
      handle.close();
      ctx.output('');
    }
  } finally {
    interrupt.dispose();
  }
  return undefined;
}
