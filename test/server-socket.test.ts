// The control socket's life after start: deleted (rm, a tmp cleaner), it comes back by itself
// within a bound, and at once on SIGHUP and SIGUSR2, with its configured mode, and the ctl works
// again; a live socket another program put on the path meanwhile is never taken, nor removed at
// exit. And a socket folder that does not exist is reported as such (ENOENT, naming the folder).

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CTL_BIN, runDaemonCli } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { startDaemon, until, type RunningDaemon } from './support/daemon-process.js';
import { tempDir, writeTree } from './support/tmp.js';

const sleeper = '[program:sleeper]\ncommand=/bin/sleep 1000\nstartsecs=0\n';

async function ctlStatus(dir: string): Promise<{ exitCode: number | undefined; stdout: string }> {
  const { exitCode, stdout } = await execa(process.execPath, [CTL_BIN, '-c', `${dir}/sup.conf`, 'status'], { reject: false, timeout: 15_000 });
  return { exitCode, stdout };
}

async function daemonWithSocket(extraUnix = ''): Promise<{ dir: string; sock: string; d: RunningDaemon }> {
  const dir = tempDir();
  const header = controlledDaemonHeader(dir).replace(`file=${dir}/s.sock\n`, `file=${dir}/s.sock\n${extraUnix}`);
  writeTree(dir, { 'sup.conf': `${header}${sleeper}` });
  const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
  await d.waitForLog(/success: sleeper entered RUNNING/u);
  const sock = `${dir}/s.sock`;
  expect((await ctlStatus(dir)).stdout).toMatch(/^sleeper +RUNNING/u);
  return { dir, sock, d };
}

const modeOf = (file: string): string => (statSync(file).mode & 0o777).toString(8);

/** The socket is back: a socket file with `mode`, and the ctl gets the status through it. */
async function backAndServing(dir: string, sock: string, mode: string, timeoutMs: number): Promise<void> {
  await until(`${sock} to be recreated`, () => (existsSync(sock) ? true : undefined), timeoutMs);
  expect(statSync(sock).isSocket()).toBe(true);
  expect(modeOf(sock)).toBe(mode);
  const status = await ctlStatus(dir);
  expect(status.stdout).toMatch(/^sleeper +RUNNING/u);
  expect(status.exitCode).toBe(0);
}

/** Another program's HTTP server on `path`; `hits` counts the requests it got (our checks among them). */
async function listenForeign(path: string): Promise<{ server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end('not supervisord\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return { server, hits: () => hits };
}

describe('a deleted control socket', () => {
  it('is recreated at once by the folder watch, with its chmod=, and the ctl works again', async () => {
    const { dir, sock, d } = await daemonWithSocket('chmod=0770\n');
    expect(modeOf(sock)).toBe('770');
    for (let round = 1; round <= 2; round++) {
      rmSync(sock);
      const started = Date.now();
      await backAndServing(dir, sock, '770', 3000);
      // The watch, not the periodic check: that runs once a minute while all is well.
      expect(Date.now() - started).toBeLessThan(1000);
      await d.waitForLog(new RegExp(`WARN recreated the control socket ${sock} \\(it had been deleted; noticed by the folder watch\\)`, 'u'));
    }
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
    expect(existsSync(sock)).toBe(false);
    // Nothing of the temporary names is left behind.
    expect(existsSync(`${sock}.${d.child.pid ?? 0}`)).toBe(false);
  });

  it('comes back when its folder is deleted and made again (the check, then a new watch)', async () => {
    const dir = tempDir();
    const sockDir = `${dir}/run`;
    mkdirSync(sockDir);
    const header = controlledDaemonHeader(dir).replace(`file=${dir}/s.sock`, `file=${sockDir}/s.sock`).replace(`serverurl=unix://${dir}/s.sock`, `serverurl=unix://${sockDir}/s.sock`);
    expect(header).toContain(`serverurl=unix://${sockDir}/s.sock`);
    writeTree(dir, { 'sup.conf': `${header}${sleeper}` });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/success: sleeper entered RUNNING/u);
    const sock = `${sockDir}/s.sock`;
    rmSync(sockDir, { recursive: true });
    await d.waitForLog(new RegExp(`ERRO cannot recreate the control socket ${sock}: .*does not exist`, 'u'));
    mkdirSync(sockDir);
    await backAndServing(dir, sock, '700', 3000);
    await d.waitForLog(new RegExp(`WARN recreated the control socket ${sock} \\(it had been deleted; found by the periodic check\\)`, 'u'));
    // The new folder is watched: the next rm is noticed at once again.
    rmSync(sock);
    await d.waitForLog(new RegExp(`recreated the control socket ${sock} \\(it had been deleted; noticed by the folder watch\\)`, 'u'));
    await backAndServing(dir, sock, '700', 3000);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });

  for (const signal of ['SIGHUP', 'SIGUSR2'] as const) {
    it(`is recreated at once on ${signal}`, async () => {
      const { dir, sock, d } = await daemonWithSocket();
      // Another program's socket put over ours, then closed: left stale, with nothing coming or
      // going in the folder for the watch to see, so the signal is what puts ours back (or the
      // once-a-second check, should it slip in first: then this fails, as it did before the watch).
      const foreign = await listenForeignInstead(sock);
      await d.waitForLog(new RegExp(`ERRO cannot recreate the control socket ${sock}: Another program is already listening`, 'u'), 5000);
      await new Promise((resolve) => foreign.server.close(resolve));
      d.child.kill(signal);
      await d.waitForLog(new RegExp(`WARN recreated the control socket ${sock} \\(it had been replaced; on ${signal}\\); Unlinked stale socket ${sock}`, 'u'));
      await backAndServing(dir, sock, '700', 3000);
      if (signal === 'SIGHUP') await d.waitForLog(/received SIGHUP indicating restart request/u);
      d.child.kill('SIGTERM');
      expect(await d.exited()).toBe(0);
    });
  }

  it('is not taken back while another program listens on the path, nor removed at exit', async () => {
    const { dir, sock, d } = await daemonWithSocket();
    const foreign = await listenForeignInstead(sock);
    try {
      await d.waitForLog(new RegExp(`ERRO cannot recreate the control socket ${sock}: Another program is already listening on ${sock}, which \\[unix_http_server\\] is configured to use.  Not taking it`, 'u'), 5000);
      d.child.kill('SIGHUP');
      await d.waitForLog(/received SIGHUP/u);
      // Each check asks the other program whether it is alive: after three of them (the periodic
      // ones and the SIGHUP's), the problem is still logged once, not at every check.
      const seen = foreign.hits();
      await until('three more checks', () => (foreign.hits() >= seen + 3 ? true : undefined), 10_000);
      expect(readLog(dir).match(/cannot recreate the control socket/gu)).toHaveLength(1);
      // Still the other program's, and ours is unreachable.
      expect(await fetchText(sock)).toBe('not supervisord\n');
      expect((await ctlStatus(dir)).exitCode).not.toBe(0);
    } finally {
      await new Promise((resolve) => foreign.server.close(resolve));
    }
    // The other program is gone (its socket left stale): ours comes back, found by the check.
    await d.waitForLog(new RegExp(`WARN recreated the control socket ${sock} \\(it had been replaced; found by the periodic check\\); Unlinked stale socket`, 'u'), 3000);
    await backAndServing(dir, sock, '700', 3000);
    const second = await listenForeignInstead(sock);
    try {
      d.child.kill('SIGTERM');
      expect(await d.exited()).toBe(0);
      // Exit removes only our own socket file, not the other program's.
      expect(existsSync(sock)).toBe(true);
      expect(await fetchText(sock)).toBe('not supervisord\n');
    } finally {
      await new Promise((resolve) => second.server.close(resolve));
    }
  });
});

describe('a deleted control socket whose path now holds a file', () => {
  it('leaves the file alone (logged once), and comes back once the file is gone', async () => {
    const { dir, sock, d } = await daemonWithSocket();
    // Renamed over it: written after an rm, it would race the folder watch's rebind.
    writeFileSync(`${sock}.file`, 'not a socket\n');
    renameSync(`${sock}.file`, sock);
    await d.waitForLog(new RegExp(`ERRO cannot recreate the control socket ${sock}: ${sock} is now something other than a socket; not replacing it`, 'u'), 5000);
    d.child.kill('SIGUSR2');
    await d.waitForLog(/supervisord logreopen/u);
    expect(readFileSync(sock, 'utf8')).toBe('not a socket\n');
    expect(readLog(dir).match(/is now something other than a socket/gu)).toHaveLength(1);
    rmSync(sock);
    await backAndServing(dir, sock, '700', 3000);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });
});

describe('a socket folder that does not exist', () => {
  it('is reported as ENOENT, naming the folder (exit 2, nothing started)', async () => {
    const dir = tempDir();
    writeTree(dir, { 'sup.conf': controlledDaemonHeader(dir).replace(`file=${dir}/s.sock`, `file=${dir}/nodir/s.sock`) + sleeper });
    const result = await runDaemonCli(['-c', 'sup.conf', '-n'], dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`Cannot open an HTTP server: socket.error reported errno.ENOENT: the folder ${dir}/nodir (of [unix_http_server] file=${dir}/nodir/s.sock) does not exist`);
    expect(readLog(dir)).not.toContain('spawned');
  });
});

function readLog(dir: string): string {
  try {
    return readFileSync(`${dir}/sup.log`, 'utf8');
  } catch {
    return '';
  }
}

async function fetchText(sock: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, path: '/', timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        resolve(text);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Puts another program's socket in place of ours (as another daemon started on the path): bound
 * under another name and renamed over ours, since the folder watch rebinds ours the moment it is
 * deleted. Its close does not remove it then (Node unlinks the name it bound): it stays, stale.
 */
async function listenForeignInstead(sock: string): Promise<{ server: Server; hits: () => number }> {
  const foreign = await listenForeign(`${sock}.foreign`);
  renameSync(`${sock}.foreign`, sock);
  return foreign;
}
