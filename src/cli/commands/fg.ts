// fg <name>: supervisorctl's do_fg: stream a RUNNING process's stdout and stderr, send each
// typed line to its stdin, leave on Ctrl-C / end of input or when it stops running.

import { FAULTS } from '../../errors.js';
import { KeyboardInterrupt, rawInput, words, type Command, type CommandContext } from '../context.js';
import { LSB_INIT, RUNNING_STATE } from '../exit-codes.js';
import { faultOf, PythonError } from '../failures.js';
import type { StreamHandle } from '../transport.js';
import { showHelp } from './help-text.js';

function streams(ctx: CommandContext, name: string): StreamHandle[] {
  const listener = {
    data: (text: string): void => {
      ctx.terminal.write(text);
    },
    error: (line: string): void => {
      ctx.terminal.writeError(`${line}\n`);
    },
  };
  return ['stdout', 'stderr'].map((channel) => ctx.stream(`/logtail/${name}/${channel}`, listener));
}

export async function doFg(ctx: CommandContext, arg: string): Promise<undefined> {
  if (!(await ctx.upcheck())) return undefined;
  const names = words(arg);
  if (names.length === 0) {
    ctx.output('ERROR: no process name supplied');
    ctx.exitstatus = LSB_INIT.GENERIC;
    showHelp(ctx, 'fg');
    return undefined;
  }
  if (names.length > 1) {
    ctx.output('ERROR: too many process names supplied');
    ctx.exitstatus = LSB_INIT.GENERIC;
    return undefined;
  }
  const name = names[0] ?? '';
  const supervisor = ctx.api();
  let state: number;
  try {
    state = (await supervisor.getProcessInfo(name)).state;
  } catch (error) {
    if (faultOf(error) === null) throw error;
    if (faultOf(error)?.faultCode === FAULTS.BAD_NAME.code) {
      ctx.output('ERROR: bad process name supplied');
      ctx.exitstatus = LSB_INIT.GENERIC;
    } else {
      ctx.output(`ERROR: ${PythonError.describe(error).pythonValue}`);
    }
    return undefined;
  }
  if (state !== RUNNING_STATE) {
    ctx.output('ERROR: process not running');
    ctx.exitstatus = LSB_INIT.GENERIC;
    return undefined;
  }
  ctx.output('==> Press Ctrl-C to exit <==');
  const handles = streams(ctx, name);
  const kill = (): void => {
    for (const handle of handles) handle.close();
  };
  try {
    for (;;) {
      const input = `${await rawInput(ctx.terminal, '')}\n`;
      try {
        await supervisor.sendProcessStdin(name, input);
      } catch (error) {
        const fault = faultOf(error);
        if (fault === null) throw error;
        ctx.output(fault.faultCode === FAULTS.NOT_RUNNING.code ? 'Process got killed' : `ERROR: ${PythonError.describe(error).pythonValue}`);
        ctx.output('Exiting foreground');
        kill();
        return undefined;
      }
      if ((await supervisor.getProcessInfo(name)).state !== RUNNING_STATE) {
        ctx.output('Process got killed');
        ctx.output('Exiting foreground');
        kill();
        return undefined;
      }
    }
  } catch (error) {
    const endOfInput = error instanceof PythonError && error.pythonClass === 'EOFError';
    if (!(error instanceof KeyboardInterrupt) && !endOfInput) {
      kill();
      throw error;
    }
    ctx.output('Exiting foreground');
    kill();
  }
  return undefined;
}

export const fgCommand: Command = { name: 'fg', run: doFg };
