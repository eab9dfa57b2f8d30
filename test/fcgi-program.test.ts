// [fcgi-program:x] for real: tssupervisord creates the pool's socket and gives it to every process
// as fd 0; the FastCGI server is Debian's fcgiwrap (started without -s it accept()s on fd 0),
// behind the real nginx (fastcgi_pass), running a CGI script. Needs the fcgiwrap and nginx
// packages (.ci/run installs them); never skipped: without them the test fails saying so.

import { execa } from 'execa';
import { chmodSync, cpSync, existsSync, mkdirSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CTL_BIN, ROOT } from './support/bins.js';
import { readText, startDaemon } from './support/daemon-process.js';
import { freePort } from './support/ports.js';
import { fixture } from './support/supervisor-harness.js';
import { tempDir, writeTree } from './support/tmp.js';

const FCGIWRAP = '/usr/sbin/fcgiwrap';
const NGINX = '/usr/sbin/nginx';

async function ctl(dir: string, ...args: string[]): Promise<string> {
  const r = await execa(process.execPath, [CTL_BIN, '-c', `${dir}/sup.conf`, ...args], { reject: false, timeout: 20_000 });
  return r.stdout;
}

/** What a connect() to the socket gets: 'connected' or the errno name. */
async function connectResult(target: { path: string } | { port: number }): Promise<string> {
  return new Promise((resolve) => {
    const socket = 'path' in target ? connect(target.path) : connect(target.port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code ?? error.message);
    });
  });
}

/** fd 0 of a process: `socket:[inode]` for an fcgi child. */
const fd0 = (pid: number): string => readlinkSync(`/proc/${pid}/fd/0`);

/** POST /api/v1/call/<method> on the daemon's unix socket. */
async function callApi(socketPath: string, method: string, params: unknown[]): Promise<{ status: number | undefined; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: `/api/v1/call/${method}`, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode, body: JSON.parse(text) as unknown });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify({ params }));
  });
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

async function pidsOf(dir: string, ...names: string[]): Promise<number[]> {
  return Promise.all(names.map(async (n) => Number(await ctl(dir, 'pid', n))));
}

const count = (text: string, line: string): number => text.split('\n').filter((l) => l.endsWith(line)).length;

describe('[fcgi-program:x] runs fcgiwrap on a socket tssupervisord made, behind nginx', () => {
  it('serves CGI through nginx over a unix and a tcp socket, one socket per pool shared as fd 0, closed when the pool stops and reopened at start', async () => {
    const missing = [FCGIWRAP, NGINX].filter((f) => !existsSync(f));
    if (missing.length > 0) throw new Error(`this test needs ${missing.join(', ')}: apt-get install fcgiwrap nginx`);
    const dir = tempDir();
    const [web, tcp] = [await freePort(), await freePort()];
    const unixSock = `${dir}/cgi.sock`;
    const cgiLocation = (pass: string): string => `{
            fastcgi_pass ${pass};
            fastcgi_param SCRIPT_FILENAME ${dir}/hello.cgi;
            fastcgi_param QUERY_STRING $query_string;
            fastcgi_param REQUEST_METHOD $request_method;
            fastcgi_param GATEWAY_INTERFACE CGI/1.1;
        }`;
    writeTree(dir, {
      // $PPID: the fcgiwrap process that accepted the request and forked the script.
      'hello.cgi': '#!/bin/sh\nprintf \'Content-Type: text/plain\\r\\n\\r\\n\'\necho "hello $QUERY_STRING from fcgiwrap $PPID"\n',
      'nginx.conf': `daemon off;
master_process on;
worker_processes 1;
user root root;
pid nginx.pid;
error_log stderr info;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path temp/client_body;
    proxy_temp_path temp/proxy;
    fastcgi_temp_path temp/fastcgi;
    uwsgi_temp_path temp/uwsgi;
    scgi_temp_path temp/scgi;
    server {
        listen 127.0.0.1:${web};
        location /unix ${cgiLocation(`unix:${unixSock}`)}
        location /tcp ${cgiLocation(`127.0.0.1:${tcp}`)}
    }
}
`,
      'sup.conf': `[supervisord]
logfile=%(here)s/sup.log
pidfile=%(here)s/sup.pid
childlogdir=%(here)s

[unix_http_server]
file=%(here)s/sup.sock

[supervisorctl]
serverurl=unix://%(here)s/sup.sock

[fcgi-program:cgi]
command=${FCGIWRAP}
socket=unix://%(here)s/cgi.sock
socket_mode=0660
numprocs=2
process_name=%(program_name)s_%(process_num)d
startsecs=1
stdout_logfile=%(here)s/cgi.log
redirect_stderr=true

[fcgi-program:tcpcgi]
command=${FCGIWRAP}
socket=tcp://127.0.0.1:${tcp}
socket_backlog=16
numprocs=2
process_name=%(program_name)s_%(process_num)d
startsecs=1

[program:nginx]
command=${NGINX} -e stderr -p %(here)s/nginx -c %(here)s/nginx.conf
priority=1000
startsecs=1
`,
    });
    chmodSync(`${dir}/hello.cgi`, 0o755);
    mkdirSync(`${dir}/nginx/temp`, { recursive: true });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    for (const name of ['cgi_0', 'cgi_1', 'tcpcgi_0', 'tcpcgi_1', 'nginx']) await d.waitForLog(new RegExp(`success: ${name} entered RUNNING`, 'u'), 15_000);

    // supervisord's lines: made once when the group is created (to fail early) and dropped, then
    // made again for the first spawn.
    const log = readText(`${dir}/sup.log`);
    const unixUrl = `unix://${unixSock}`;
    expect(count(log, `INFO Creating socket ${unixUrl}`)).toBe(2);
    expect(count(log, `INFO Closing socket ${unixUrl}`)).toBe(1);
    expect(count(log, `INFO Creating socket tcp://127.0.0.1:${tcp}`)).toBe(2);
    expect(log.indexOf(`Closing socket ${unixUrl}`)).toBeLessThan(log.indexOf("spawned: 'cgi_0'"));
    const st = statSync(unixSock);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o660);

    // One socket per pool, shared: fd 0 of both children is the same socket, not a pipe.
    const cgi = await pidsOf(dir, 'cgi:cgi_0', 'cgi:cgi_1');
    const tcpcgi = await pidsOf(dir, 'tcpcgi:tcpcgi_0', 'tcpcgi:tcpcgi_1');
    const [cgiSocket, tcpSocket] = [fd0(cgi[0] ?? 0), fd0(tcpcgi[0] ?? 0)];
    expect(cgiSocket).toMatch(/^socket:\[\d+\]$/u);
    expect(fd0(cgi[1] ?? 0)).toBe(cgiSocket);
    expect(fd0(tcpcgi[1] ?? 0)).toBe(tcpSocket);
    expect(tcpSocket).not.toBe(cgiSocket);

    // Real HTTP through nginx to each pool; the script's parent is one of that pool's processes.
    for (const [path, pool] of [['/unix?u', cgi], ['/tcp?t', tcpcgi]] as const) {
      for (let i = 0; i < 4; i++) {
        const res = await get(web, path);
        expect(res.status, `GET ${path}: ${res.body}`).toBe(200);
        const served = /^hello (?<q>\w) from fcgiwrap (?<pid>\d+)\n$/u.exec(res.body)?.groups;
        expect(served?.['q']).toBe(path.slice(-1));
        expect(pool).toContain(Number(served?.['pid']));
      }
    }

    // Under concurrency both processes accept() on the one socket; every request is answered.
    for (let round = 0; round < 4; round++) {
      const burst = await Promise.all(Array.from({ length: 25 }, async () => get(web, '/unix?u')));
      for (const res of burst) {
        expect(res.status).toBe(200);
        expect(cgi).toContain(Number(/(?<pid>\d+)\n$/u.exec(res.body)?.groups?.['pid']));
      }
    }

    // Stopping one process keeps the socket (the other still holds it); stopping the pool closes it.
    await ctl(dir, 'stop', 'cgi:cgi_0');
    expect((await get(web, '/unix?u')).status).toBe(200);
    expect(count(readText(`${dir}/sup.log`), `INFO Closing socket ${unixUrl}`)).toBe(1);
    await ctl(dir, 'stop', 'cgi:*', 'tcpcgi:*');
    await d.waitForLog(/INFO Closing socket tcp:/u);
    const afterStop = readText(`${dir}/sup.log`);
    expect(count(afterStop, `INFO Closing socket ${unixUrl}`)).toBe(2);
    expect(afterStop.indexOf(`Closing socket ${unixUrl}`, afterStop.indexOf('stopped: cgi_1'))).toBeGreaterThan(0);
    expect(await connectResult({ path: unixSock })).toBe('ECONNREFUSED');
    expect(await connectResult({ port: tcp })).toBe('ECONNREFUSED');
    expect(existsSync(unixSock)).toBe(true); // supervisord's close() leaves the file
    expect((await get(web, '/unix?u')).status).toBe(502);

    // Started again (start waits for RUNNING): a new socket, served again.
    // (the lines come in the order the processes got there)
    expect((await ctl(dir, 'start', 'cgi:*', 'tcpcgi:*')).split('\n').sort()).toEqual(['cgi:cgi_0: started', 'cgi:cgi_1: started', 'tcpcgi:tcpcgi_0: started', 'tcpcgi:tcpcgi_1: started']);
    expect(count(readText(`${dir}/sup.log`), `INFO Creating socket ${unixUrl}`)).toBe(3);
    expect(await connectResult({ port: tcp })).toBe('connected');
    expect((await get(web, '/unix?u')).status).toBe(200);
    expect((await get(web, '/tcp?t')).status).toBe(200);
    const again = await pidsOf(dir, 'cgi:cgi_0', 'cgi:cgi_1');
    expect(fd0(again[0] ?? 0)).toBe(fd0(again[1] ?? 0));

    // fd 0 is the socket, so supervisord has no stdin to write to: sendProcessStdin is NO_FILE.
    expect(await callApi(`${dir}/sup.sock`, 'supervisor.sendProcessStdin', ['cgi:cgi_0', 'x'])).toMatchObject({ body: { error: { fault: 'NO_FILE' } } });
    process.kill(d.child.pid ?? 0, 'SIGTERM');
    expect(await d.exited()).toBe(0);
  });

  it('a socket that cannot be made is an error naming the group and the socket; the daemon and the other programs go on', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'sup.conf': `[supervisord]
logfile=%(here)s/sup.log
pidfile=%(here)s/sup.pid
childlogdir=%(here)s

[fcgi-program:cgi]
command=${FCGIWRAP}
socket=unix://%(here)s/no-such-folder/cgi.sock
startretries=1

[program:other]
command=${fixture('sleep-forever.mjs')}
startsecs=0
`,
    });
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(new RegExp(`ERRO \\[fcgi-program:cgi\\]: Could not create FastCGI socket unix://${dir}/no-such-folder/cgi.sock: bind: ENOENT \\(no such file or directory\\); its processes cannot be spawned until it can be created`, 'u'));
    await d.waitForLog(new RegExp(`INFO spawnerr: Could not create FastCGI socket unix://${dir}/no-such-folder/cgi.sock: bind: ENOENT`, 'u'));
    await d.waitForLog(/INFO gave up: cgi entered FATAL state/u);
    await d.waitForLog(/INFO success: other entered RUNNING/u);
    process.kill(d.child.pid ?? 0, 'SIGTERM');
    expect(await d.exited()).toBe(0);
  });

  it('without the native addon (no compiler at install) --check passes, the daemon runs, and the spawn says why it fails', async () => {
    const dir = tempDir();
    // A checkout whose install could not build build/native/host.node: the same dist/, no build/.
    const install = join(dir, 'install');
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(install, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(install, 'node_modules'));
    writeTree(dir, {
      'sup.conf': `[supervisord]\nlogfile=%(here)s/sup.log\npidfile=%(here)s/sup.pid\nchildlogdir=%(here)s\n\n[fcgi-program:cgi]\ncommand=${FCGIWRAP}\nsocket=tcp://127.0.0.1:${await freePort()}\nstartretries=0\n\n[program:other]\ncommand=${fixture('sleep-forever.mjs')}\nstartsecs=0\n`,
    });
    const bin = join(install, 'bin/tssupervisord.js');
    const check = await execa(process.execPath, [bin, '-c', 'sup.conf', '--check'], { cwd: dir, reject: false, timeout: 15_000 });
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    const d = startDaemon(['-c', 'sup.conf', '-n'], dir, `${dir}/sup.log`, { bin });
    await d.waitForLog(/INFO spawnerr: Could not create FastCGI socket tcp:\/\/127\.0\.0\.1:\d+: the native addon is not available: .*host\.node could not be loaded .*run npm install with gcc and libc6-dev present\)$/u);
    await d.waitForLog(/INFO gave up: cgi entered FATAL state/u);
    await d.waitForLog(/INFO success: other entered RUNNING/u);
    process.kill(d.child.pid ?? 0, 'SIGTERM');
    expect(await d.exited()).toBe(0);
  });
});
