import { describe, expect, it } from 'vitest';
import { FakeClock, FakeSpawner } from '../../test/support/fakes.js';
import { programConfig } from '../../test/support/supervisor-harness.js';
import { hintOnce, packageHint } from './package-hints.js';
import { ProcessRunner } from './runner.js';

describe('package hints for commands the example stack needs', () => {
  it.each([
    ['redis-server', 'redis-server'],
    ['redis-sentinel', 'redis-sentinel'],
    ['nginx', 'nginx'],
    ['/usr/sbin/nginx', 'nginx'],
  ])('%s -> Debian package %s', (command, pkg) => {
    const name = command.split('/').at(-1) ?? command;
    expect(packageHint(command)).toBe(`hint: '${name}' is provided by the Debian package ${pkg} (apt-get install ${pkg})`);
  });

  it('knows nothing about other commands', () => {
    expect(packageHint('my-own-tool')).toBeUndefined();
  });

  it('gives each command its hint once', () => {
    const seen = new Set<string>();
    expect(hintOnce('nginx', seen)).toContain('apt-get install nginx');
    expect(hintOnce('/usr/sbin/nginx', seen)).toBeUndefined();
    expect(hintOnce('redis-server', seen)).toContain('apt-get install redis-server');
  });

  it('is logged after the spawnerr line, once per command however many programs and retries', () => {
    const clock = new FakeClock();
    const logs: string[] = [];
    const hintedCommands = new Set<string>();
    const runner = (name: string, command: string): ProcessRunner => new ProcessRunner(
      programConfig({ name, command, startMs: 1000, startRetries: 3 }), {
        spawner: new FakeSpawner(), clock, stat: () => undefined,
        log: (level, message) => logs.push(`${level} ${message}`),
        onStateChange: () => undefined, environment: () => ({ PATH: '/bin:/usr/bin' }), output: { attach: () => undefined },
        shuttingDown: () => false, isRoot: false, gidOf: () => undefined, hintedCommands,
      });
    const a = runner('redisd_6380', 'redis-server /x/redisd_6380.conf');
    const b = runner('redisd_6381', 'redis-server /x/redisd_6381.conf');
    const c = runner('tool', 'my-own-tool --flag');
    a.start();
    b.start();
    c.start();
    clock.advance(60_000);
    const hint = "info hint: 'redis-server' is provided by the Debian package redis-server (apt-get install redis-server)";
    expect(logs.filter((l) => l.startsWith('info hint:'))).toEqual([hint]);
    expect(logs.indexOf(hint)).toBe(logs.indexOf("info spawnerr: can't find command 'redis-server'") + 1);
    expect(a.snapshot.state).toBe('FATAL');
  });
});
