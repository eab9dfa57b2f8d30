import { describe, expect, it } from 'vitest';
import { fileChannel, programConfig } from '../../test/support/supervisor-harness.js';
import { sharedLogFiles } from './child-output.js';

const isCharacterDevice = (file: string): boolean => file === '/dev/null';

describe('sharedLogFiles', () => {
  it('names every user of a regular file written by more than one process', () => {
    const shared = sharedLogFiles([
      programConfig({ name: 'a', command: '/bin/a', stdout: fileChannel('/logs/x.log') }),
      programConfig({ name: 'b', command: '/bin/b', stdout: fileChannel('/logs/y.log'), stderr: fileChannel('/logs/x.log') }),
    ], isCharacterDevice);
    expect([...shared]).toEqual([['/logs/x.log', ['a:a stdout', 'b:b stderr']]]);
  });

  it('a character device (/dev/null) on every channel of every process is never shared', () => {
    const shared = sharedLogFiles([
      programConfig({ name: 'extra', command: '/bin/a', stdout: fileChannel('/dev/null'), stderr: fileChannel('/dev/null') }),
      programConfig({ name: 'other', command: '/bin/b', stdout: fileChannel('/dev/null') }),
    ], isCharacterDevice);
    expect([...shared]).toEqual([]);
  });
});
