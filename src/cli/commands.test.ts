// The commands against an in-memory supervisord (no sockets): output and exit status as
// supervisorctl.py produces them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConfigInfo, ProcessEnd, ProcessInfo, ProcessResult } from '../api/control-api.js';
import { SupervisorError, type FaultName } from '../errors.js';
import type { CtlServer } from './client.js';
import { COMMANDS } from './commands/index.js';
import type { CtlOptions, Terminal } from './context.js';
import { Controller } from './controller.js';
import { ConnectionFailure, ProtocolError } from './failures.js';
import type { StreamHandle, StreamListener } from './transport.js';

// package.json read here on its own, so the expectation does not come from the code under test.
const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const OWN_VERSION = `tssupervisor ${PACKAGE.version} (supervisord 4.2.5 compatible)`;

const RUNNING = 20;
const STOPPED = 0;

interface FakeProcess { group: string; name: string; state: number; pid: number; log: string; broken?: boolean }

const fault = (name: FaultName, detail: string | null = null): SupervisorError => new SupervisorError(name, detail);

/** A tiny supervisord: enough state for the commands' paths. */
class FakeSupervisor implements CtlServer {
  version = '3.0';
  failWith: Error | null = null;
  shutdowns = 0;
  calls: string[] = [];
  readonly procs: FakeProcess[] = [
    { group: 'grp', name: 'ga', state: RUNNING, pid: 101, log: '' },
    { group: 'grp', name: 'gb', state: STOPPED, pid: 0, log: '' },
    { group: 'broken', name: 'broken', state: STOPPED, pid: 0, log: '', broken: true },
    { group: 'manual', name: 'manual', state: STOPPED, pid: 0, log: '' },
    { group: 'sleeper', name: 'sleeper', state: RUNNING, pid: 100, log: 'hello\nworld\n' },
  ];

  /** getProcessHistory's answer per process name (default none). */
  readonly ends = new Map<string, ProcessEnd[]>();

  private check(method: string): void {
    this.calls.push(method);
    if (this.failWith !== null) throw this.failWith;
  }

  private find(namespec: string): FakeProcess {
    const [group, name] = namespec.includes(':') ? namespec.split(':') : [namespec, namespec];
    const proc = this.procs.find((p) => p.group === group && p.name === name);
    if (proc === undefined) throw fault('BAD_NAME', namespec);
    return proc;
  }

  private info(p: FakeProcess): ProcessInfo {
    return {
      name: p.name, group: p.group, start: 0, stop: 0, now: 0, state: p.state, statename: p.state === RUNNING ? 'RUNNING' : 'STOPPED',
      description: p.state === RUNNING ? `pid ${p.pid}, uptime 0:00:01` : 'Not started', spawnerr: '', exitstatus: 0,
      logfile: '', stdout_logfile: '', stderr_logfile: '', pid: p.pid,
    };
  }

  private result(p: FakeProcess, status: number, description: string): ProcessResult {
    return { name: p.name, group: p.group, status, description };
  }

  private startOne(p: FakeProcess): void {
    if (p.state === RUNNING) throw fault('ALREADY_STARTED', p.name);
    if (p.broken === true) throw fault('SPAWN_ERROR', p.name);
    p.state = RUNNING;
    p.pid = 200;
  }

  private stopOne(p: FakeProcess): void {
    if (p.state !== RUNNING) throw fault('NOT_RUNNING', p.name);
    p.state = STOPPED;
    p.pid = 0;
  }

  private many(procs: FakeProcess[], act: (p: FakeProcess) => void): ProcessResult[] {
    return procs.map((p) => {
      try {
        act(p);
        return this.result(p, 80, 'OK');
      } catch (error) {
        const e = error as SupervisorError;
        return this.result(p, e.faultCode, e.faultString);
      }
    });
  }

  private group(name: string): FakeProcess[] {
    const procs = this.procs.filter((p) => p.group === name);
    if (procs.length === 0 && name !== 'gone') throw fault('BAD_NAME', name);
    return procs;
  }

  async getVersion(): Promise<string> { this.check('getVersion'); return Promise.resolve(this.version); }
  async getAPIVersion(): Promise<string> { return this.getVersion(); }
  async getSupervisorVersion(): Promise<string> { this.check('getSupervisorVersion'); return Promise.resolve('4.2.5'); }
  async getIdentification(): Promise<string> { return Promise.resolve('supervisor'); }
  async getState(): Promise<{ statecode: number; statename: 'RUNNING' }> { return Promise.resolve({ statecode: 1, statename: 'RUNNING' }); }
  async getPID(): Promise<number> { this.check('getPID'); return Promise.resolve(42); }
  async readLog(): Promise<string> { return Promise.resolve('main log'); }
  async clearLog(): Promise<boolean> { return Promise.resolve(true); }
  async shutdown(): Promise<boolean> { this.check('shutdown'); this.shutdowns++; return Promise.resolve(true); }
  async restart(): Promise<boolean> { return Promise.resolve(true); }
  async reloadConfig(): Promise<[[string[], string[], string[]]]> { this.check('reloadConfig'); return Promise.resolve([[['newprog'], ['sleeper'], ['gone']]]); }
  async addProcessGroup(name: string): Promise<boolean> {
    this.check(`addProcessGroup ${name}`);
    if (name === 'grp') throw fault('ALREADY_ADDED', name);
    if (name === 'nosuch') throw fault('BAD_NAME', name);
    return Promise.resolve(true);
  }
  async removeProcessGroup(name: string): Promise<boolean> {
    this.check(`removeProcessGroup ${name}`);
    if (name === 'nosuch') throw fault('BAD_NAME', name);
    if (this.procs.some((p) => p.group === name && p.state === RUNNING)) throw fault('STILL_RUNNING', name);
    return Promise.resolve(true);
  }
  async startProcess(name: string): Promise<boolean> { this.check('startProcess'); this.startOne(this.find(name)); return Promise.resolve(true); }
  async startProcessGroup(name: string): Promise<ProcessResult[]> {
    return Promise.resolve(this.many(this.group(name).filter((p) => p.state !== RUNNING), (p) => { this.startOne(p); }));
  }
  async startAllProcesses(): Promise<ProcessResult[]> {
    return Promise.resolve(this.many(this.procs.filter((p) => p.state !== RUNNING), (p) => { this.startOne(p); }));
  }
  async getProcessHistory(name: string): Promise<ProcessEnd[]> {
    this.check(`getProcessHistory ${name}`);
    return Promise.resolve(this.ends.get(this.find(name).name) ?? []);
  }
  async stopProcess(name: string): Promise<boolean> { this.stopOne(this.find(name)); return Promise.resolve(true); }
  async stopProcessGroup(name: string): Promise<ProcessResult[]> {
    this.check(`stopProcessGroup ${name}`);
    return Promise.resolve(this.many(this.group(name).filter((p) => p.state === RUNNING), (p) => { this.stopOne(p); }));
  }
  async stopAllProcesses(): Promise<ProcessResult[]> {
    return Promise.resolve(this.many(this.procs.filter((p) => p.state === RUNNING), (p) => { this.stopOne(p); }));
  }
  async signalProcess(name: string, signal: string): Promise<boolean> {
    const p = this.find(name);
    if (!['HUP', 'TERM', 'SIGHUP', '1'].includes(signal)) throw fault('BAD_SIGNAL', signal);
    if (p.state !== RUNNING) throw fault('NOT_RUNNING', name);
    return Promise.resolve(true);
  }
  async signalProcessGroup(name: string): Promise<ProcessResult[]> { return Promise.resolve(this.many(this.group(name), () => undefined)); }
  async signalAllProcesses(): Promise<ProcessResult[]> { return Promise.resolve([]); }
  async getProcessInfo(name: string): Promise<ProcessInfo> { return Promise.resolve(this.info(this.find(name))); }
  async getAllProcessInfo(): Promise<ProcessInfo[]> {
    this.check('getAllProcessInfo');
    return Promise.resolve(this.procs.map((p) => this.info(p)).sort((a, b) => `${a.group}:${a.name}`.localeCompare(`${b.group}:${b.name}`)));
  }
  async getAllConfigInfo(): Promise<ConfigInfo[]> {
    return Promise.resolve([{ group: 'newprog', name: 'newprog', inuse: false, autostart: true, group_prio: 999, process_prio: 999 }]);
  }
  async readProcessStdoutLog(name: string, offset: number): Promise<string> {
    const log = this.find(name).log;
    return Promise.resolve(offset < 0 ? log.slice(Math.max(0, log.length + offset)) : log.slice(offset));
  }
  readProcessStderrLog(name: string): Promise<string> { this.find(name); return Promise.reject(fault('NO_FILE', name)); }
  async tailProcessStdoutLog(): Promise<[string, number, boolean]> { return Promise.resolve(['', 0, false]); }
  async tailProcessStderrLog(): Promise<[string, number, boolean]> { return Promise.resolve(['', 0, false]); }
  async clearProcessLogs(name: string): Promise<boolean> { this.find(name); return Promise.resolve(true); }
  async clearAllProcessLogs(): Promise<ProcessResult[]> { return Promise.resolve([]); }
  async sendProcessStdin(): Promise<boolean> { return Promise.resolve(true); }
  async sendRemoteCommEvent(): Promise<boolean> { return Promise.resolve(true); }
}

class FakeTerminal implements Terminal {
  out = '';
  colour = false;
  err = '';
  readonly answers: (string | null)[] = [];
  prompts: string[] = [];
  write(text: string): void { this.out += text; }
  writeError(text: string): void { this.err += text; }
  readLine(prompt: string): Promise<string | null> {
    this.prompts.push(prompt);
    return Promise.resolve(this.answers.shift() ?? null);
  }
  readSecret(prompt: string): Promise<string | null> { return this.readLine(prompt); }
  interrupted(): { promise: Promise<void>; dispose(): void } { return { promise: new Promise(() => undefined), dispose: () => undefined }; }
}

function setup(options: Partial<CtlOptions> = {}): { server: FakeSupervisor; terminal: FakeTerminal; run: (line: string) => Promise<[string, number]> } {
  const server = new FakeSupervisor();
  const terminal = new FakeTerminal();
  const streamed: string[] = [];
  const connector = {
    api: (): CtlServer => server,
    stream: (_target: unknown, path: string, listener: StreamListener): StreamHandle => {
      streamed.push(path);
      listener.data(`data of ${path}\n`);
      return { done: Promise.resolve(), close: () => undefined };
    },
  };
  const opts: CtlOptions = { serverurl: 'unix:///tmp/x.sock', username: null, password: null, interactive: false, prompt: 'supervisor', historyFile: null, ...options };
  return {
    server,
    terminal,
    run: async (line: string): Promise<[string, number]> => {
      const ctl = new Controller(opts, terminal, connector, COMMANDS);
      terminal.out = '';
      await ctl.onecmd(line);
      return [terminal.out, ctl.exitstatus];
    },
  };
}

const lines = (...l: string[]): string => l.map((x) => `${x}\n`).join('');

describe('status', () => {
  it('lists everything and exits 3 when something is stopped', async () => {
    const { run } = setup();
    expect(await run('status')).toEqual([lines(
      'broken                           STOPPED   Not started',
      'grp:ga                           RUNNING   pid 101, uptime 0:00:01',
      'grp:gb                           STOPPED   Not started',
      'manual                           STOPPED   Not started',
      'sleeper                          RUNNING   pid 100, uptime 0:00:01',
    ), 3]);
  });
  it('exits 0 for running matches, 4 for unknown names, 3 when a later match is stopped', async () => {
    const { run } = setup();
    expect(await run('status sleeper')).toEqual([lines('sleeper                          RUNNING   pid 100, uptime 0:00:01'), 0]);
    expect(await run('status nosuch')).toEqual([lines('nosuch: ERROR (no such process)'), 4]);
    expect(await run('status nogrp:*')).toEqual([lines('nogrp: ERROR (no such group)'), 4]);
    expect((await run('status nosuch manual'))[1]).toBe(3);
    expect((await run('status grp:*'))[0]).toBe(lines(
      'grp:ga                           RUNNING   pid 101, uptime 0:00:01',
      'grp:gb                           STOPPED   Not started',
    ));
  });
  it('prints JSON with --json, errors to stderr', async () => {
    const { run, terminal } = setup();
    const [out, code] = await run('status --json sleeper nosuch');
    expect(code).toBe(4);
    expect((JSON.parse(out) as ProcessInfo[]).map((p) => [p.name, p.pid])).toEqual([['sleeper', 100]]);
    expect(terminal.err).toBe('nosuch: ERROR (no such process)\n');
  });
  it('colours the state names when the terminal takes colour, never the JSON', async () => {
    const { run, terminal } = setup();
    terminal.colour = true;
    expect(await run('status grp:*')).toEqual([lines(
      'grp:ga                           \x1b[32mRUNNING\x1b[0m   pid 101, uptime 0:00:01',
      'grp:gb                           STOPPED   Not started',
    ), 3]);
    expect((await run('status --json sleeper'))[0]).not.toContain('\x1b');
  });
});

describe('start / stop / restart / signal', () => {
  it('start: per-result lines and exit codes', async () => {
    const { run } = setup();
    expect(await run('start manual')).toEqual(['manual: started\n', 0]);
    expect(await run('start sleeper')).toEqual(['sleeper: ERROR (already started)\n', 0]);
    expect(await run('start nosuch')).toEqual(['nosuch: ERROR (no such process)\n', 1]);
    expect(await run('start nogrp:*')).toEqual(['nogrp: ERROR (no such group)\n', 2]);
    expect(await run('start broken')).toEqual(['broken: ERROR (spawn error)\n', 7]);
    expect(await run('start grp:*')).toEqual(['grp:gb: started\n', 0]);
    expect(await run('start')).toEqual([lines('Error: start requires a process name', 'start <name>\t\tStart a process',
      'start <gname>:*\t\tStart all processes in a group', 'start <name> <name>\tStart multiple processes or groups', 'start all\t\tStart all processes'), 2]);
  });
  it('stop ignores NOT_RUNNING; restart is stop then start', async () => {
    const { run } = setup();
    expect(await run('stop sleeper')).toEqual(['sleeper: stopped\n', 0]);
    expect(await run('stop sleeper')).toEqual(['sleeper: ERROR (not running)\n', 0]);
    expect(await run('stop nogrp:*')).toEqual(['nogrp: ERROR (no such group)\n', 1]);
    expect(await run('restart sleeper')).toEqual([lines('sleeper: ERROR (not running)', 'sleeper: started'), 0]);
    expect(await run('stop all')).toEqual([lines('grp:ga: stopped', 'sleeper: stopped'), 0]);
  });
  it('signal ignores nothing', async () => {
    const { run } = setup();
    expect(await run('signal HUP sleeper')).toEqual(['sleeper: signalled\n', 0]);
    expect(await run('signal BOGUS sleeper')).toEqual(['sleeper: ERROR (bad signal name)\n', 1]);
    expect(await run('signal HUP manual')).toEqual(['manual: ERROR (not running)\n', 7]);
    expect((await run('signal HUP'))[0]).toMatch(/^Error: signal requires a signal name and a process name\nsignal <signal name> <name>\t\tSignal a process\n/u);
  });
});

describe('pid, tail, clear', () => {
  it('pid', async () => {
    const { run } = setup();
    expect(await run('pid')).toEqual(['42\n', 0]);
    expect(await run('pid sleeper')).toEqual(['100\n', 0]);
    expect(await run('pid manual')).toEqual(['0\n', 7]);
    expect(await run('pid nosuch')).toEqual(['No such process nosuch\n', 1]);
    expect(await run('pid all')).toEqual([lines('0', '101', '0', '0', '100'), 0]);
  });
  it('tail', async () => {
    const { run } = setup();
    expect(await run('tail sleeper')).toEqual(['hello\nworld\n\n', 0]);
    expect(await run('tail -6 sleeper')).toEqual(['world\n\n', 0]);
    expect(await run('tail sleeper stderr')).toEqual(['sleeper: ERROR (no log file)\n', 1]);
    expect(await run('tail nosuch')).toEqual(['nosuch: ERROR (no such process name)\n', 1]);
    expect(await run('tail sleeper foo')).toEqual(["Error: bad channel 'foo'\n", 1]);
    expect(await run('tail -x sleeper')).toEqual(['Error: bad argument -x\n', 1]);
    expect(await run('tail -f sleeper')).toEqual(['==> Press Ctrl-C to exit <==\ndata of /logtail/sleeper/stdout\n', 0]);
  });
  it('history', async () => {
    const { run, server } = setup();
    server.ends.set('ga', [{
      name: 'ga', group: 'grp', pid: 7, start: 0, stop: 0, duration_ms: 10, exitstatus: 2, signal: '', description: 'exit status 2',
      expected: false, stopped_for: '', statename: 'BACKOFF', stdout: [], stderr: ['boom'],
    }]);
    const [out, status] = await run('history grp:ga sleeper nosuch');
    expect(out.split('\n')).toEqual([
      'grp:ga: last 1 end, newest first',
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}ran 0\.01 s {4}pid 7: exit status 2 \(not expected\) -> BACKOFF$/u),
      '    stderr| boom',
      'sleeper: no ends since the daemon started',
      'nosuch: ERROR (no such process)',
      '',
    ]);
    expect(status).toBe(1);
    const [noName, noNameStatus] = await run('history');
    expect(noName).toMatch(/^ERROR: no process name supplied\nhistory <name>/u);
    expect(noNameStatus).toBe(1);
  });
  it('clear', async () => {
    const { run } = setup();
    expect(await run('clear sleeper nosuch')).toEqual([lines('sleeper: cleared', 'nosuch: ERROR (no such process)'), 1]);
  });
});

describe('config commands (no upcheck)', () => {
  it('reread, avail, add, remove', async () => {
    const { run, server } = setup();
    expect(await run('reread')).toEqual([lines('gone: disappeared', 'newprog: available', 'sleeper: changed'), 0]);
    expect(await run('avail')).toEqual(['newprog                          avail     auto      999:999\n', 0]);
    expect(await run('add newprog grp')).toEqual([lines('newprog: added process group', 'ERROR: process group already active'), 0]);
    expect(await run('add nosuch')).toEqual(['ERROR: no such process/group: nosuch\n', 1]);
    expect(await run('remove sleeper')).toEqual(['ERROR: process/group still running: sleeper\n', 1]);
    expect(await run('remove manual')).toEqual(['manual: removed process group\n', 0]);
    expect(server.calls).not.toContain('getVersion');
  });
  it('update removes, updates and adds groups in that order', async () => {
    const { run } = setup();
    expect(await run('update')).toEqual([lines(
      'gone: stopped', 'gone: removed process group', 'sleeper: stopped', 'sleeper: updated process group', 'newprog: added process group',
    ), 0]);
    expect(await run('update nosuch newprog')).toEqual([lines('ERROR: no such group: nosuch', 'newprog: added process group'), 1]);
  });
  it('shutdown asks first only in the shell', async () => {
    const { run, server, terminal } = setup({ interactive: true });
    terminal.answers.push('n', 'yes');
    expect(await run('shutdown')).toEqual(['', 0]);
    expect(await run('shutdown')).toEqual(['Shut down\n', 0]);
    expect(terminal.prompts).toEqual(['Really shut the remote supervisord process down y/N? ', 'Really shut the remote supervisord process down y/N? ']);
    expect(server.shutdowns).toBe(1);
  });
});

describe('upcheck and failures', () => {
  it('reports a missing socket (7, status 4) and a refused connection (4)', async () => {
    const { run, server } = setup();
    server.failWith = new ConnectionFailure('ENOENT', 2, 'no such file or directory');
    expect(await run('start x')).toEqual(['unix:///tmp/x.sock no such file\n', 7]);
    expect(await run('status')).toEqual(['unix:///tmp/x.sock no such file\n', 4]);
    expect(await run('reread')).toEqual(["error: <class 'FileNotFoundError'>, [Errno 2] No such file or directory\n", 1]);
    expect(await run('shutdown')).toEqual(['ERROR: unix:///tmp/x.sock no such file (already shut down?)\n', 1]);
    server.failWith = new ConnectionFailure('ECONNREFUSED', 111, 'connection refused');
    expect(await run('pid')).toEqual(['unix:///tmp/x.sock refused connection\n', 4]);
  });
  it('refuses another API version, and a server without the supervisor namespace', async () => {
    const { run, server } = setup();
    server.version = '2.0';
    expect(await run('version')).toEqual(['Sorry, this version of supervisorctl expects to talk to a server with API version 3.0, but the remote version is 2.0.\n', 5]);
    server.failWith = fault('UNKNOWN_METHOD');
    expect((await run('status'))).toEqual([expect.stringMatching(/^Sorry, supervisord responded but did not recognize/u) as unknown as string, 4]);
    expect((await run('start x'))[1]).toBe(3);
  });
  it('reports a 401 and the repeated failure, exit 1', async () => {
    const { run, server } = setup();
    server.failWith = new ProtocolError(401, 'Unauthorized');
    expect(await run('status')).toEqual([lines(
      'Server requires authentication',
      "error: <class 'xmlrpc.client.ProtocolError'>, <ProtocolError for 127.0.0.1/RPC2: 401 Unauthorized>",
    ), 1]);
  });
  it('asks for credentials in the shell and retries', async () => {
    const { run, server, terminal } = setup({ interactive: true });
    server.failWith = new ProtocolError(401, 'Unauthorized');
    terminal.answers.push('user', 'pass');
    const attempt = run('version');
    await Promise.resolve();
    server.failWith = null;
    // The retry runs after the prompts; by then the server accepts.
    const [out] = await attempt;
    expect(terminal.prompts).toEqual(['Username:', 'Password:']);
    expect(out).toBe(lines('Server requires authentication', '', OWN_VERSION));
  });
  it('unknown syntax, help, quit', async () => {
    const { run } = setup();
    expect(await run('foo bar')).toEqual(['*** Unknown syntax: foo bar\n', 1]);
    expect(await run('help foo')).toEqual(['*** No help on foo\n', 0]);
    expect((await run('help history'))[0]).toMatch(/^history <name>\t\tLast ends of a process/u);
    expect((await run('help'))[0]).not.toContain('history');
    expect(await run('help help')).toEqual([lines('help\t\tPrint a list of available actions', 'help <action>\tPrint help for <action>'), 0]);
    expect((await run('help'))[0]).toContain('add    exit      open  reload  restart   start   tail   \n');
    expect(await run('quit')).toEqual(['\n', 0]);
    // Not supervisorctl's bare 4.2.5: our own version beside the supervisord one (issue 14).
    expect(await run('version')).toEqual([`${OWN_VERSION}\n`, 0]);
    expect(await run('open foo')).toEqual(['ERROR: url must be http:// or unix://\n', 1]);
  });
});
