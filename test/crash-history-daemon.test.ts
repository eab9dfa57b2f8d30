// Crash history through the daemon's surfaces (issue 12): `tssupervisorctl history`, the JSON
// route and the XML-RPC method as Python's own client calls it, after a real crash and a kill -9.

import { execa } from 'execa';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CTL_BIN } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { startDaemon } from './support/daemon-process.js';
import { FIXTURES } from './support/supervisor-harness.js';
import { tempDir } from './support/tmp.js';

async function ctl(dir: string, ...args: string[]): Promise<{ rc: number | undefined; out: string }> {
  const r = await execa(process.execPath, [CTL_BIN, '-c', `${dir}/sup.conf`, ...args], { reject: false, timeout: 20_000 });
  return { rc: r.exitCode, out: r.stdout + r.stderr };
}

async function getJson(socketPath: string, path: string): Promise<{ status: number | undefined; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => { resolve({ status: res.statusCode, body: JSON.parse(text) as unknown }); });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('crash history over the control surfaces', () => {
  it('ctl history, GET /api/v1/processes/NAME/history and supervisor.getProcessHistory tell the same ends', async () => {
    const dir = tempDir();
    const node = process.execPath;
    writeFileSync(`${dir}/sup.conf`, `${controlledDaemonHeader(dir)}
[program:web]
command=${node} ${FIXTURES}say-lines.mjs 2 1 sleep
startsecs=0
autorestart=true

[program:crash]
command=${node} ${FIXTURES}say-lines.mjs 0 1 4
startsecs=1
startretries=0
`);
    const d = startDaemon(['-c', `${dir}/sup.conf`, '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/success: web entered RUNNING/u);
    await d.waitForLog(/INFO crash last stderr: err 1/u);
    // kill -9 web once its output is in its log, then wait for the new run.
    const pid = Number((await ctl(dir, 'pid', 'web')).out);
    await d.waitForLog(/spawned: 'web'/u);
    await execa('/bin/sh', ['-c', `until grep -q 'err 1' ${dir}/web-stderr---*.log 2>/dev/null; do sleep 0.05; done`], { timeout: 5000 });
    process.kill(pid, 'SIGKILL');
    await d.waitForLog(/exited: web \(terminated by SIGKILL; not expected\)/u);

    const shown = await ctl(dir, 'history', 'web', 'crash', 'nosuch');
    expect(shown.rc).toBe(1);
    const lines = shown.out.split('\n');
    expect(lines[0]).toBe('web: last 1 end, newest first');
    expect(lines[1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d {2}ran [\\d.]+ s +pid ${pid}: terminated by SIGKILL \\(not expected\\) -> EXITED$`, 'u'));
    expect(lines.slice(2, 5)).toEqual(['    stdout| out 1', '    stdout| out 2', '    stderr| err 1']);
    expect(lines[5]).toBe('crash: last 1 end, newest first');
    expect(lines[6]).toMatch(/ pid \d+: exit status 4 \(not expected\) -> BACKOFF$/u);
    expect(lines.slice(7)).toEqual(['    stderr| err 1', 'nosuch: ERROR (no such process)']);
    // The same in the interactive shell (its input a pipe).
    const shell = await execa(process.execPath, [CTL_BIN, '-c', `${dir}/sup.conf`], { input: 'history crash\n', reject: false, timeout: 20_000 });
    expect(shell.stdout).toContain('crash: last 1 end, newest first');
    expect(shell.stdout).toContain('    stderr| err 1');

    const json = await getJson(`${dir}/s.sock`, '/api/v1/processes/web/history');
    expect(json.status).toBe(200);
    expect(json.body).toEqual([expect.objectContaining({
      name: 'web', group: 'web', pid, exitstatus: -1, signal: 'KILL', description: 'terminated by SIGKILL', expected: false,
      stopped_for: '', statename: 'EXITED', stdout: ['out 1', 'out 2'], stderr: ['err 1'],
    })]);
    const missing = await getJson(`${dir}/s.sock`, '/api/v1/processes/nosuch/history');
    expect(missing).toMatchObject({ status: 404, body: { error: { fault: 'BAD_NAME' } } });

    const py = await execa('/usr/bin/python3', [`${FIXTURES}rpc.py`, `${dir}/s.sock`, 'supervisor.getProcessHistory', '"crash"'], { reject: false });
    expect(py.stderr).toBe('');
    const [crash] = JSON.parse(py.stdout) as { exitstatus: number; signal: string; start: number; stop: number; duration_ms: number; stderr: string[] }[];
    expect(crash).toMatchObject({ exitstatus: 4, signal: '', stderr: ['err 1'] });
    expect(Number.isInteger(crash?.start) && Number.isInteger(crash?.stop) && Number.isInteger(crash?.duration_ms)).toBe(true);
    expect((await ctl(dir, 'shutdown')).out).toBe('Shut down');
  });
});
