import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAEMON_NODE_FLAGS, NODE_FLAGS_ENV, missingNodeFlags, wantedNodeFlags } from './node-flags.js';

describe('the daemon node flags', () => {
  it('are all missing from a bare node, and none once given', () => {
    expect(missingNodeFlags([], DAEMON_NODE_FLAGS)).toEqual(DAEMON_NODE_FLAGS);
    expect(missingNodeFlags(DAEMON_NODE_FLAGS, DAEMON_NODE_FLAGS)).toEqual([]);
  });

  it("count as given when the user set the same flag another way: value, --no- form, '_' for '-'", () => {
    expect(missingNodeFlags(['--max_semi_space_size=8', '--no-jitless', '--expose-gc'], ['--max-semi-space-size=1', '--jitless', '--optimize-for-size']))
      .toEqual(['--optimize-for-size']);
    expect(missingNodeFlags(['--expose-wasm'], ['--no-expose-wasm'])).toEqual([]);
  });

  it('are replaced by the override, and none when it is empty', () => {
    expect(wantedNodeFlags({})).toEqual(DAEMON_NODE_FLAGS);
    expect(wantedNodeFlags({ [NODE_FLAGS_ENV]: '' })).toEqual([]);
    expect(wantedNodeFlags({ [NODE_FLAGS_ENV]: ' --jitless  --max-semi-space-size=2 ' })).toEqual(['--jitless', '--max-semi-space-size=2']);
  });

  it("are what the bin's shebang passes, so a daemon run as a command needs no relaunch", () => {
    const shebang = readFileSync(new URL('../../bin/tssupervisord.js', import.meta.url), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${DAEMON_NODE_FLAGS.join(' ')}`);
  });
});
