import { describe, expect, it } from 'vitest';
import { describeReady } from './probe.js';

describe('describeReady: the text form of a ready= spec, for messages', () => {
  it('gives each kind as it is written', () => {
    expect(describeReady({ kind: 'tcp', host: '127.0.0.1', port: 6380 })).toBe('tcp:127.0.0.1:6380');
    expect(describeReady({ kind: 'http', url: 'https://127.0.0.1:8443/health?x=1' })).toBe('https://127.0.0.1:8443/health?x=1');
    expect(describeReady({ kind: 'exec', command: 'redis-cli -p 6380 ping' })).toBe('exec:redis-cli -p 6380 ping');
    expect(describeReady({ kind: 'notify' })).toBe('notify');
    expect(describeReady({ kind: 'log', pattern: 'Server startup in \\d+' })).toBe('log:Server startup in \\d+');
  });

  it('puts an IPv6 address in brackets, so the port stays readable', () => {
    expect(describeReady({ kind: 'tcp', host: '::1', port: 80 })).toBe('tcp:[::1]:80');
    expect(describeReady({ kind: 'tcp', host: 'localhost', port: 80 })).toBe('tcp:localhost:80');
  });
});
