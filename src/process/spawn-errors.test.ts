import { describe, expect, it } from 'vitest';
import { spawnErrorMessage } from './spawn-errors.js';

describe('spawnErrorMessage', () => {
  it.each([
    ['EMFILE', "too many open files to spawn 'web' (EMFILE)"],
    ['ENFILE', "unknown error making dispatchers for 'web': ENFILE"],
    ['EAGAIN', "Too many processes in process table to spawn 'web' (EAGAIN)"],
    ['ENOMEM', "unknown error during fork for 'web': ENOMEM"],
    ['ENOENT', "couldn't exec /bin/web: ENOENT"],
    ['EACCES', "couldn't exec /bin/web: EACCES"],
    [undefined, "couldn't exec /bin/web: unknown error"],
  ])('%s -> %s', (code, message) => {
    expect(spawnErrorMessage('web', '/bin/web', code)).toBe(message);
  });
});
