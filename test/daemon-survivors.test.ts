// A daemon killed with SIGKILL cannot stop its children; the next one finds them through the
// record next to the pid file and stops them before it spawns, so no program runs twice.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isGone, liveChildrenOf, readText, startDaemon, until } from './support/daemon-process.js';
import { fixture } from './support/supervisor-harness.js';
import { tempDir, writeTree } from './support/tmp.js';

function config(dir: string): string {
  return `[supervisord]
logfile=${dir}/sup.log
pidfile=${dir}/sup.pid
childlogdir=${dir}

[program:plain]
command=${fixture('sleep-forever.mjs')}
startsecs=0
priority=10
stdout_logfile=%(here)s/plain.log

[program:family]
command=${fixture('spawn-grandchild.mjs', `${dir}/grandchild.pid`)}
startsecs=0
priority=20
stopasgroup=true
stdout_logfile=%(here)s/family.log

[program:stubborn]
command=/bin/sh -c "trap '' TERM; echo READY; while :; do sleep 0.1; done"
startsecs=0
priority=30
stopwaitsecs=1
stdout_logfile=%(here)s/stubborn.log
`;
}

const spawnedPid = (log: string, name: string, nth: number): number | undefined => {
  const all = [...log.matchAll(new RegExp(`spawned: '${name}' with pid (\\d+)`, 'gu'))];
  const match = all[nth - 1];
  return match === undefined ? undefined : Number(match[1]);
};

const alive = (pid: number): boolean => !isGone(pid);

describe('a daemon started after its predecessor was SIGKILLed', () => {
  it('stops the survivors as stop would (stopsignal, group, SIGKILL after stopwaitsecs) before spawning new ones', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': config(dir) });
    const log = `${dir}/sup.log`;
    const first = startDaemon(['-c', 'sup.conf', '-n'], dir, log);
    for (const name of ['plain', 'family', 'stubborn']) await first.waitForLog(new RegExp(`success: ${name} entered RUNNING`, 'u'));
    await until('the children record lists all three', () => {
      const text = readText(`${dir}/sup.pid.children.json`);
      return ['plain', 'family', 'stubborn'].every((n) => text.includes(`"${n}"`)) ? true : undefined;
    });
    const old = Object.fromEntries(['plain', 'family', 'stubborn'].map((n) => [n, spawnedPid(readText(log), n, 1) ?? 0]));
    // Each fixture prints READY once its handlers are in place and its grandchild exists.
    for (const name of ['plain', 'family', 'stubborn']) await until(`${name} ready`, () => (readText(`${dir}/${name}.log`).includes('READY') ? true : undefined));
    const grandchild = Number(readFileSync(`${dir}/grandchild.pid`, 'utf8'));
    first.child.kill('SIGKILL');
    await first.exited();
    // Nothing stopped them: they live on under init.
    for (const pid of [...Object.values(old), grandchild]) expect(alive(pid)).toBe(true);

    const second = startDaemon(['-c', 'sup.conf', '-n'], dir, log);
    await second.waitForLog(/WARN the previous daemon \(pid \d+\) ended without stopping its children; stopping 3 left running/u);
    await second.waitForLog(new RegExp(`INFO stopped: plain \\(pid ${old['plain']}\\) of the previous daemon`, 'u'));
    await second.waitForLog(new RegExp(`INFO stopped: family \\(pid ${old['family']}\\) of the previous daemon`, 'u'));
    await second.waitForLog(new RegExp(`WARN killing stubborn \\(pid ${old['stubborn']}\\) of the previous daemon with SIGKILL: still running 1 s after SIGTERM`, 'u'));
    for (const name of ['plain', 'family', 'stubborn']) await until(`${name} spawned again`, () => spawnedPid(readText(log), name, 2));
    const text = readText(log);
    // Every old process (the grandchild too, stopasgroup) was gone before its program spawned anew.
    for (const pid of [...Object.values(old), grandchild]) expect(isGone(pid)).toBe(true);
    expect(text.lastIndexOf('of the previous daemon')).toBeLessThan(text.lastIndexOf("spawned: 'plain'"));
    // Reverse priority, as shutdown: stubborn (30) first, plain (10) last.
    expect(text.indexOf('killing stubborn')).toBeLessThan(text.indexOf('stopped: family'));
    expect(text.indexOf('stopped: family')).toBeLessThan(text.indexOf('stopped: plain'));
    const kids = liveChildrenOf(second.child.pid ?? 0);
    expect(kids.sort()).toEqual(['plain', 'family', 'stubborn'].map((n) => spawnedPid(text, n, 2)).sort());

    // A clean shutdown leaves no record: the next start finds nothing to stop.
    second.child.kill('SIGTERM');
    expect(await second.exited()).toBe(0);
    expect(readText(`${dir}/sup.pid.children.json`)).toBe('');
  });

  it('leaves alone a recorded pid that the kernel gave to another process since', async () => {
    const dir = tempDir();
    const bystander = spawn('sleep', ['1000'], { stdio: 'ignore' });
    onTestFinished(() => {
      bystander.kill('SIGKILL');
    });
    const pid = bystander.pid ?? 0;
    const record = {
      format: 'tssupervisord-children/1', daemonPid: 999_999,
      children: [{ namespec: 'plain', pid, startTime: '1', priority: 1, stopSignal: 'TERM', stopWaitMs: 1000, stopAsGroup: false, killAsGroup: false }],
    };
    writeTree(dir, { 'sup.conf': `[supervisord]\nlogfile=${dir}/sup.log\npidfile=${dir}/sup.pid\n` });
    writeFileSync(`${dir}/sup.pid.children.json`, JSON.stringify(record));
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/supervisord started with pid/u);
    await until('the stale record removed', () => (readText(`${dir}/sup.pid.children.json`).includes(String(pid)) ? undefined : true));
    expect(alive(pid)).toBe(true);
    expect(readText(`${dir}/sup.log`)).not.toContain('previous daemon');
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });
});
