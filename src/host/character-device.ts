// Whether a path is a character device (/dev/null, a tty): log files that are not files.

import { statSync } from 'node:fs';

/** True for a character device; false for anything else, a missing path or one we cannot stat. */
export function isCharacterDevice(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isCharacterDevice() === true;
  } catch {
    return false;
  }
}
