// The control server under hostile or careless use: socket permissions, refusing to share a socket,
// replacing a stale one, refusing an unauthenticated public TCP port, HTTP Basic auth, and bad
// requests (garbage, malformed or entity-laden XML, huge bodies, wrong types, path-like names,
// slow clients) that must each be refused while the daemon keeps serving. Also /status and /healthz.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMethodCall, parseMethodResponse, type XmlRpcInput, type XmlRpcResponse } from '../src/xmlrpc/codec.js';
import { DAEMON_BIN, runDaemonCli } from './support/bins.js';
import { liveChildrenOf, readText, startDaemon, until } from './support/daemon-process.js';
import { freePort } from './support/ports.js';
import { tempDir, writeTree } from './support/tmp.js';
import { vmRssKb } from './support/wait.js';

const SUPERVISORCTL = '/usr/bin/supervisorctl';
const HAVE_SUPERVISORCTL = existsSync(SUPERVISORCTL);

function config(dir: string, servers: string, programs = sleeper): string {
  return `[supervisord]
logfile=${dir}/sup.log
pidfile=${dir}/sup.pid
childlogdir=${dir}
${servers}
${programs}`;
}

const unixServer = (dir: string, extra = ''): string => `[unix_http_server]\nfile=${dir}/s.sock\n${extra}\n`;
const sleeper = '[program:sleeper]\ncommand=/bin/sleep 1000\nstartsecs=0\nstdout_logfile=%(here)s/sleeper.out\n';

interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Target = { readonly socketPath: string } | { readonly port: number };

function http(target: Target, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const where = 'socketPath' in target ? { socketPath: target.socketPath } : { host: '127.0.0.1', port: target.port };
  return new Promise((resolve, reject) => {
    const req = request({
      ...where, method, path, timeout: 10_000,
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'text/xml', 'Content-Length': String(Buffer.byteLength(body)) }), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function rpc(target: Target, method: string, params: readonly XmlRpcInput[] = [], headers: Record<string, string> = {}): Promise<XmlRpcResponse & { status: number }> {
  const answer = await http(target, 'POST', '/RPC2', encodeMethodCall(method, params), headers);
  expect(answer.status, answer.body).toBe(200);
  return { status: answer.status, ...parseMethodResponse(answer.body) };
}

/** The proof that follows each bad request: the daemon still answers supervisor.getState. */
async function stillServes(target: Target): Promise<void> {
  const answer = await rpc(target, 'supervisor.getState');
  expect(answer).toMatchObject({ ok: true, value: { statecode: 1, statename: 'RUNNING' } });
}

/** Waits until the daemon answers on `target` (the socket exists and serves getState). */
async function serving(target: Target, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await stillServes(target);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Waits until something answers HTTP on `target`, whatever the status. */
async function answering(target: Target, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await http(target, 'GET', '/healthz');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * Talks raw bytes to the unix socket at `path`: `send` writes, and the answer collected so far is returned
 * once it matches `done` or the server closes the connection (write errors are expected then).
 */
async function rawExchange(path: string, send: (socket: Socket) => unknown, done: RegExp, timeoutMs = 10_000): Promise<string> {
  const socket = connect(path);
  let reply = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no answer in ${timeoutMs} ms; got ${JSON.stringify(reply)}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        resolve(reply);
      };
      socket.on('error', () => undefined);
      socket.on('close', finish);
      socket.on('data', (d: Buffer) => {
        reply += d.toString('latin1');
        if (done.test(reply)) finish();
      });
      socket.once('connect', () => {
        Promise.resolve(send(socket)).catch(reject);
      });
    });
  } finally {
    socket.destroy();
  }
}

const basic = (user: string, password: string): Record<string, string> =>
  ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('the unix socket', () => {
  it('is created with mode 0700 by default, and with chmod= when configured', async () => {
    for (const [extra, mode] of [['', 0o700], ['chmod=0770', 0o770]] as const) {
      const dir = tempDir();
      writeTree(dir, { 'sup.conf': config(dir, unixServer(dir, extra)) });
      const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
      const sock = { socketPath: `${dir}/s.sock` };
      await serving(sock);
      const st = statSync(sock.socketPath);
      expect(st.isSocket()).toBe(true);
      expect((st.mode & 0o777).toString(8)).toBe(mode.toString(8));
      d.child.kill('SIGTERM');
      expect(await d.exited()).toBe(0);
      expect(existsSync(sock.socketPath)).toBe(false);
    }
  });

  it('a second daemon on the same socket (another pidfile) refuses with exit 2; the first keeps serving', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'sup.conf': config(dir, unixServer(dir)),
      // Same socket, own pidfile and log: only the socket collides.
      'two.conf': `[supervisord]\nlogfile=${dir}/two.log\npidfile=${dir}/two.pid\n${unixServer(dir)}${sleeper}`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    const sock = { socketPath: `${dir}/s.sock` };
    await serving(sock);
    const second = await runDaemonCli(['-c', 'two.conf', '-n'], dir);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toContain(`Another program is already listening on ${dir}/s.sock`);
    // The refused daemon spawned nothing and left the first one's socket in place.
    expect(readText(`${dir}/two.log`)).not.toContain('spawned');
    await stillServes(sock);
    expect(liveChildrenOf(d.child.pid ?? 0)).toHaveLength(1);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });

  it('a stale socket nobody listens on is replaced, and that is logged', async () => {
    const dir = tempDir();
    const path = `${dir}/s.sock`;
    // A process that bound the socket and died without unlinking it (SIGKILL: no cleanup).
    const leftover = spawnSync(process.execPath, ['-e',
      `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(leftover.signal).toBe('SIGKILL');
    expect(statSync(path).isSocket()).toBe(true);
    writeTree(dir, { 'sup.conf': config(dir, unixServer(dir)) });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(new RegExp(`INFO Unlinked stale socket ${path}$`, 'u'));
    await serving({ socketPath: path });
    expect((statSync(path).mode & 0o777).toString(8)).toBe('700');
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });
});

describe('[inet_http_server]', () => {
  it('refuses to listen on all interfaces without username/password (exit 2)', async () => {
    const dir = tempDir();
    const port = await freePort();
    writeTree(dir, { 'sup.conf': config(dir, `[inet_http_server]\nport=0.0.0.0:${port}\n`) });
    const result = await runDaemonCli(['-c', 'sup.conf', '-n'], dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`[inet_http_server] would listen on 0.0.0.0:${port} without a password`);
    expect(result.stderr).toContain('Add username= and password= to [inet_http_server]');
    expect(readText(`${dir}/sup.log`)).not.toContain('spawned');
  });

  it('listens on loopback without credentials', async () => {
    const dir = tempDir();
    const port = await freePort();
    writeTree(dir, { 'sup.conf': config(dir, `[inet_http_server]\nport=127.0.0.1:${port}\n`) });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await serving({ port });
    await d.waitForLog(/CRIT Server 'inet_http_server' running without any HTTP authentication checking/u);
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });

  it('with username and a {SHA} password: no or wrong credentials get 401, the right ones work', async () => {
    const dir = tempDir();
    const port = await freePort();
    const sha = createHash('sha1').update('p').digest('hex');
    writeTree(dir, { 'sup.conf': config(dir, `[inet_http_server]\nport=127.0.0.1:${port}\nusername=u\npassword={SHA}${sha}\n`) });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/success: sleeper entered RUNNING/u);
    const target = { port };
    const call = encodeMethodCall('supervisor.getState', []);
    await answering(target);

    const none = await http(target, 'POST', '/RPC2', call);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="default"');
    expect(none.body).not.toContain('RUNNING');
    for (const headers of [basic('u', 'wrong'), basic('x', 'p'), basic('u', sha), { Authorization: 'Basic !!!' }, { Authorization: 'Bearer p' }]) {
      const refused = await http(target, 'POST', '/RPC2', call, headers);
      expect(refused.status, JSON.stringify(headers)).toBe(401);
    }
    // Every handler is behind the password, not only /RPC2.
    for (const path of ['/status', '/healthz', '/logtail/sleeper', '/mainlogtail', '/api/v1/processes']) {
      expect((await http(target, 'GET', path)).status, path).toBe(401);
    }
    await stillServes(target).then(() => {
      throw new Error('getState without credentials must not succeed');
    }, () => undefined);
    expect(await rpc(target, 'supervisor.getState', [], basic('u', 'p'))).toMatchObject({ ok: true, value: { statename: 'RUNNING' } });

    // The stock Python supervisorctl authenticates the same way (required in CI, see supervisorctl-compat).
    if (HAVE_SUPERVISORCTL || process.env['CI'] === 'true') {
      const url = `http://127.0.0.1:${port}`;
      const ok = await execa(SUPERVISORCTL, ['-s', url, '-u', 'u', '-p', 'p', 'status'], { reject: false, cwd: dir });
      expect(ok.stdout).toMatch(/^sleeper +RUNNING +pid \d+, uptime \d+:\d\d:\d\d$/u);
      expect(ok.exitCode).toBe(0);
      const bad = await execa(SUPERVISORCTL, ['-s', url, '-u', 'u', '-p', 'nope', 'status'], { reject: false, cwd: dir });
      expect(bad.stdout).toContain('Server requires authentication');
      expect(bad.stdout).toContain('401 Unauthorized');
    }
    d.child.kill('SIGTERM');
    expect(await d.exited()).toBe(0);
  });
});

describe('bad input over the unix socket', () => {
  // One daemon for the whole block: every case ends by proving it still serves.
  let dir = '';
  let daemon: ChildProcess | undefined;
  let sock: { socketPath: string } = { socketPath: '' };
  let daemonOutput = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tss-'));
    writeFileSync(`${dir}/sup.conf`, config(dir, unixServer(dir), `${sleeper}[program:quiet]\ncommand=/bin/sleep 1000\nstartsecs=0\nstdout_logfile=NONE\n`));
    writeFileSync(`${dir}/secret.txt`, 'TOP SECRET\n');
    daemon = spawn(process.execPath, [DAEMON_BIN, '-c', 'sup.conf', '-n'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (b: Buffer) => (daemonOutput += b.toString()));
    daemon.stderr?.on('data', (b: Buffer) => (daemonOutput += b.toString()));
    sock = { socketPath: `${dir}/s.sock` };
    await serving(sock).catch((error: unknown) => {
      throw new Error(`daemon did not come up: ${String(error)}\n${daemonOutput}`);
    });
    await until('sleeper RUNNING', () => (readText(`${dir}/sup.log`).includes('success: sleeper entered RUNNING') ? true : undefined));
  });

  afterAll(async () => {
    if (daemon?.pid !== undefined && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon?.once('exit', resolve));
      daemon.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('garbage bytes on a raw connection', async () => {
    // One write (a TLS ClientHello-like prefix, then text): the server answers 400 and closes.
    const garbage = Buffer.concat([Buffer.from([0x00, 0xff, 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), Buffer.from('\r\n\r\nNOT HTTP AT ALL\r\n\r\n')]);
    const reply = await rawExchange(sock.socketPath, (socket) => socket.write(garbage), /\r\n\r\n/u);
    expect(reply).toMatch(/^HTTP\/1\.1 400 /u);
    await stillServes(sock);
  });

  it('a malformed XML body gets HTTP 400 with a fault', async () => {
    for (const body of ['<methodCall><methodName>supervisor.getState</methodName><params>', 'not xml', '', '<methodCall><params/></methodCall>']) {
      const answer = await http(sock, 'POST', '/RPC2', body);
      expect(answer.status, body).toBe(400);
      expect(parseMethodResponse(answer.body)).toMatchObject({ ok: false, faultCode: 2 });
      await stillServes(sock);
    }
  });

  it('a DOCTYPE with entities (billion laughs, external entity) is refused with a fault', async () => {
    const lol = (n: number): string => `<!ENTITY lol${n} "${`&lol${n - 1};`.repeat(10)}">`;
    const laughs = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n${Array.from({ length: 9 }, (_, i) => lol(i + 1)).join('\n')}\n]>\n`
      + '<methodCall><methodName>supervisor.startProcess</methodName><params><param><value><string>&lol9;</string></value></param></params></methodCall>';
    const external = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://${dir}/secret.txt">]>`
      + '<methodCall><methodName>supervisor.startProcess</methodName><params><param><value><string>&x;</string></value></param></params></methodCall>';
    for (const body of [laughs, external]) {
      const started = Date.now();
      const answer = await http(sock, 'POST', '/RPC2', body);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(answer.status).toBe(400);
      const fault = parseMethodResponse(answer.body);
      expect(fault).toMatchObject({ ok: false, faultCode: 2 });
      expect(answer.body).toContain('DOCTYPE and ENTITY declarations are not allowed');
      expect(answer.body).not.toContain('TOP SECRET');
      await stillServes(sock);
    }
  });

  it('a 50 MB body gets 413 without being read into memory', async () => {
    const pid = daemon?.pid ?? 0;
    const before = vmRssKb(pid);
    const megabyte = Buffer.alloc(1024 * 1024, 'a');
    // Declared 50 MB: refused on the Content-Length alone, before any of the body is read. The server
    // answers and closes at once, so we send the headers only: a body write racing that close gets
    // EPIPE, and Node then drops the answer unread.
    const declared = await rawExchange(sock.socketPath, (socket) => {
      socket.write(`POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`);
    }, /\r\n\r\n/u);
    expect(declared).toMatch(/^HTTP\/1\.1 413 /u);
    await stillServes(sock);
    // Really streamed 50 MB (chunked, no length up front): the server stops reading at its limit. The
    // 413 may or may not reach us before it closes the connection under our writes, so only the
    // status line, if any, is checked; what matters is that it did not buffer the body.
    const streamed = await rawExchange(sock.socketPath, async (socket) => {
      socket.write('POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n');
      for (let i = 0; i < 50 && !socket.destroyed; i++) {
        socket.write(`${megabyte.length.toString(16)}\r\n`);
        socket.write(megabyte);
        if (!socket.write('\r\n')) {
          await new Promise<void>((resolve) => {
            socket.once('drain', resolve);
            socket.once('close', resolve);
          });
        }
      }
      if (!socket.destroyed) socket.write('0\r\n\r\n');
    }, /\r\n\r\n/u);
    expect(streamed === '' || /^HTTP\/1\.1 413 /u.test(streamed), streamed).toBe(true);
    await stillServes(sock);
    const after = vmRssKb(pid);
    expect(after - before, `VmRSS ${before} kB -> ${after} kB`).toBeLessThan(25 * 1024);
  });

  it('an unknown method gets UNKNOWN_METHOD; wrong parameter types get INCORRECT_PARAMETERS', async () => {
    for (const method of ['supervisor.noSuchMethod', 'system.shutdown', 'supervisor._update', 'supervisor.getState.extra', 'os.system', 'getState']) {
      expect(await rpc(sock, method), method).toMatchObject({ ok: false, faultCode: 1, faultString: 'UNKNOWN_METHOD' });
    }
    const wrong: [string, XmlRpcInput[]][] = [
      ['supervisor.startProcess', [1]],
      ['supervisor.startProcess', []],
      ['supervisor.startProcess', ['sleeper', true, 'extra']],
      ['supervisor.stopProcess', [['sleeper']]],
      ['supervisor.readProcessStdoutLog', ['sleeper', '0', '0']],
      ['supervisor.tailProcessStdoutLog', ['sleeper', 1.5, 100]],
      ['supervisor.sendProcessStdin', ['sleeper', 42]],
    ];
    for (const [method, params] of wrong) {
      expect(await rpc(sock, method, params), `${method}${JSON.stringify(params)}`).toMatchObject({ ok: false, faultCode: 2, faultString: 'INCORRECT_PARAMETERS' });
    }
    await stillServes(sock);
    // The sleeper was not touched by any of them.
    expect(await rpc(sock, 'supervisor.getProcessInfo', ['sleeper'])).toMatchObject({ ok: true, value: { statename: 'RUNNING' } });
  });

  it('path- and shell-like names are BAD_NAME / 404: nothing runs, nothing outside the logs is read', async () => {
    const markers = [1, 2, 3, 4].map((n) => `${dir}/marker${n}`);
    const names = [
      '../../etc/passwd', `../../../../../../${dir}/secret.txt`, `${dir}/secret.txt`, 'sleeper/../../secret.txt', 'sleeper:../secret.txt',
      `sleeper;touch ${markers[0] ?? ''}`, `$(touch ${markers[1] ?? ''})`, `\`touch ${markers[2] ?? ''}\``, `sleeper && touch ${markers[3] ?? ''}`,
      'sleeper\u0000', '*', 'sleeper:*:*',
    ];
    const calls: [string, (name: string) => XmlRpcInput[]][] = [
      ['supervisor.startProcess', (name) => [name, false]],
      ['supervisor.readProcessStdoutLog', (name) => [name, 0, 0]],
      ['supervisor.readProcessStderrLog', (name) => [name, 0, 0]],
      ['supervisor.tailProcessStdoutLog', (name) => [name, 0, 1000]],
      ['supervisor.clearProcessLogs', (name) => [name]],
    ];
    for (const name of names) {
      for (const [method, params] of calls) {
        const answer = await rpc(sock, method, params(name));
        expect(answer, `${method}(${name})`).toMatchObject({ ok: false, faultCode: 10 });
        expect(JSON.stringify(answer)).not.toMatch(/root:|TOP SECRET/u);
      }
      for (const channel of ['', '/stdout', '/stderr']) {
        const answer = await http(sock, 'GET', `/logtail/${encodeURIComponent(name)}${channel}`);
        expect(answer.status, `/logtail/${name}${channel}`).toBe(404);
        expect(answer.body).not.toMatch(/root:|TOP SECRET/u);
      }
    }
    for (const path of ['/logtail/..%2F..%2Fetc%2Fpasswd', '/logtail/../../etc/passwd', '/logtail/sleeper/..%2F..%2Fetc%2Fpasswd', '/logtail/sleeper/%2E%2E']) {
      const answer = await http(sock, 'GET', path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).not.toContain('root:');
    }
    for (const marker of markers) expect(existsSync(marker), marker).toBe(false);
    // A real program with no log (stdout_logfile=NONE): a fault, not some other file.
    expect(await rpc(sock, 'supervisor.readProcessStdoutLog', ['quiet', 0, 0])).toMatchObject({ ok: false, faultString: 'NO_FILE: none' });
    expect((await http(sock, 'GET', '/logtail/quiet')).status).toBe(404);
    await stillServes(sock);
    expect(liveChildrenOf(daemon?.pid ?? 0)).toHaveLength(2);
  });

  it('slow clients holding half-sent requests do not block others', async () => {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const socket = connect(sock.socketPath);
        socket.on('error', () => undefined);
        await new Promise<void>((resolve) => socket.once('connect', () => {
          resolve();
        }));
        // A request line and one header, then nothing: the request never completes.
        socket.write(`POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n${i % 2 === 0 ? '\r\n<methodCall>' : 'X-Slow: '}`);
        sockets.push(socket);
      }
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        await stillServes(sock);
        expect(Date.now() - started).toBeLessThan(1000);
      }
      expect(sockets.every((s) => !s.destroyed)).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});

describe('GET /status and /healthz', () => {
  it('healthz is 200 when every autostart program is RUNNING, 503 naming the ones that are not', async () => {
    const dir = tempDir();
    const manual = '[program:manual]\ncommand=/bin/sleep 1000\nautostart=false\n';
    const quick = '[program:quick]\ncommand=/bin/false\nstartretries=0\n';
    writeTree(dir, {
      'ok.conf': config(dir, unixServer(dir), sleeper + manual),
      'bad.conf': `[supervisord]\nlogfile=${dir}/bad.log\npidfile=${dir}/bad.pid\n[unix_http_server]\nfile=${dir}/b.sock\n${sleeper}${manual}${quick}`,
    });
    const ok = startDaemon(['-c', 'ok.conf', '-n'], dir, `${dir}/sup.log`);
    const bad = startDaemon(['-c', 'bad.conf', '-n'], dir, `${dir}/bad.log`);
    const okSock = { socketPath: `${dir}/s.sock` };
    const badSock = { socketPath: `${dir}/b.sock` };
    await ok.waitForLog(/success: sleeper entered RUNNING/u);
    await bad.waitForLog(/success: sleeper entered RUNNING/u);
    await bad.waitForLog(/gave up: quick entered FATAL state/u);
    await serving(okSock);
    await serving(badSock);

    const healthy = await http(okSock, 'GET', '/healthz');
    expect(healthy.status).toBe(200);
    // manual (autostart=false, STOPPED) does not count.
    expect(JSON.parse(healthy.body)).toEqual({ ok: true, notRunning: [] });

    const unhealthy = await http(badSock, 'GET', '/healthz');
    expect(unhealthy.status).toBe(503);
    expect(JSON.parse(unhealthy.body)).toEqual({ ok: false, notRunning: [{ name: 'quick', state: 'FATAL' }] });

    const status = await http(badSock, 'GET', '/status');
    expect(status.status).toBe(200);
    expect(status.headers['content-type']).toMatch(/^application\/json/u);
    const body = JSON.parse(status.body) as { state: string; pid: number; processes: { name: string; state: string; pid: number; description: string }[] };
    expect(body.state).toBe('RUNNING');
    expect(body.pid).toBe(bad.child.pid);
    expect(body.processes.map((p) => [p.name, p.state])).toEqual([['manual', 'STOPPED'], ['quick', 'FATAL'], ['sleeper', 'RUNNING']]);
    expect(body.processes.find((p) => p.name === 'sleeper')?.pid).toBe(liveChildrenOf(bad.child.pid ?? 0)[0]);
    expect(body.processes.find((p) => p.name === 'quick')?.description).toBe('Exited too quickly (process log may have details)');

    ok.child.kill('SIGTERM');
    bad.child.kill('SIGTERM');
    expect(await ok.exited()).toBe(0);
    expect(await bad.exited()).toBe(0);
  });
});
