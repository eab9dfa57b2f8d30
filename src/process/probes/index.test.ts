import { describe, expect, it } from 'vitest';
import type { ReadySpec } from '../../config/schema.js';
import type { ProbeRun } from '../probe.js';
import { createProbe } from './index.js';

const run: ProbeRun = { pid: 1, env: {}, cwd: null, watchOutput: () => () => undefined };
const who = { name: 'p', group: 'p' };

async function failureOf(spec: ReadySpec): Promise<string> {
  const probe = createProbe(spec, who);
  return new Promise((resolve, reject) => {
    probe.start(run, () => { reject(new Error('ready')); }, resolve);
  });
}

describe('createProbe: specs that can never pass say so at each start', () => {
  it('a URL that is not http(s), or not a URL', async () => {
    expect(await failureOf({ kind: 'http', url: 'ftp://127.0.0.1/' })).toBe('ready=ftp://127.0.0.1/: not an http:// or https:// URL');
    expect(await failureOf({ kind: 'http', url: 'http://' })).toBe('ready=http://: not a valid URL');
  });

  it('a pattern that is not a RegExp, a command that cannot be split or is empty', async () => {
    expect(await failureOf({ kind: 'log', pattern: '(' })).toMatch(/^log:\( is not a valid regular expression/u);
    expect(await failureOf({ kind: 'exec', command: 'sh -c "oops' })).toBe('ready=exec:sh -c "oops: cannot split the command: No closing quotation');
    expect(await failureOf({ kind: 'exec', command: '  ' })).toBe('ready=exec:  : the command is empty');
  });

  it('stopped before its turn, it reports nothing; stop is idempotent', async () => {
    const probe = createProbe({ kind: 'log', pattern: '(' }, who);
    let told = 0;
    const stop = probe.start(run, () => { told++; }, () => { told++; });
    stop();
    stop();
    await new Promise((resolve) => { setImmediate(resolve); });
    expect(told).toBe(0);
  });

  it('describes each probe as its spec is written, and only notify asks for environment', () => {
    expect(createProbe({ kind: 'tcp', host: '127.0.0.1', port: 6380 }, who).description).toBe('tcp:127.0.0.1:6380');
    expect(createProbe({ kind: 'tcp', host: '127.0.0.1', port: 6380 }, who).environment()).toEqual({});
    expect(createProbe({ kind: 'exec', command: 'redis-cli ping' }, who).description).toBe('exec:redis-cli ping');
    expect(createProbe({ kind: 'log', pattern: 'x' }, who).environment()).toEqual({});
  });
});
