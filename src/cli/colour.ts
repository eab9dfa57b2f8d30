// Colour for `status` state names. Only for a person at a terminal: a pipe, a file or a script
// gets supervisorctl's bytes unchanged, and NO_COLOR (https://no-color.org) always wins.

/** SGR reset: back to the terminal's own colours after a state name. */
export const RESET = '\x1b[0m';

const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const RED = '\x1b[31m';

/**
 * Colour only when stdout is a TTY and NO_COLOR is absent. NO_COLOR set to anything, even the
 * empty string, turns colour off: someone set it on purpose, and plain text is never wrong.
 */
export function colourWanted(stdoutIsTTY: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  return stdoutIsTTY === true && env['NO_COLOR'] === undefined;
}

/**
 * The SGR code for a state name, or null for plain. getProcessInfo does not say whether an exit
 * was expected (the program's exitcodes are not in it), so EXITED is red for a non-zero status.
 * STOPPED stays plain: dim is unreadable on some terminal themes.
 */
export function stateColour(statename: string, exitstatus: number): string | null {
  switch (statename) {
    case 'RUNNING': return GREEN;
    case 'STARTING':
    case 'BACKOFF':
    case 'STOPPING': return YELLOW;
    case 'FATAL':
    case 'UNKNOWN': return RED;
    case 'EXITED': return exitstatus === 0 ? null : RED;
    default: return null;
  }
}
