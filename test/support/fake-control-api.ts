// An in-memory ControlApi for testing the HTTP surface (XML-RPC, JSON) without a supervisor: a few
// processes whose states tests set directly, a record of every call, and per-method failures
// (`failWith`) to drive fault paths. Behaviour is supervisord-shaped but deliberately simple.

import type {
  ConfigInfo, ControlApi, ControlMethod, DaemonState, ProcessEnd, ProcessInfo, ProcessResult,
} from '../../src/api/control-api.js';
import { FAULTS, SupervisorError } from '../../src/errors.js';
import type { ProcessState } from '../../src/process/state.js';
import { STATE_CODES } from '../../src/process/state.js';

export interface FakeProcess {
  name: string;
  group: string;
  state: ProcessState;
  pid: number;
  /** Epoch seconds. */
  start: number;
  stop: number;
  spawnerr: string;
  exitstatus: number;
  stdout: string;
  stderr: string;
}

export interface FakeCall {
  readonly method: ControlMethod;
  readonly args: readonly unknown[];
}

/** Fixed "now" (epoch seconds) of every ProcessInfo the fake returns. */
export const FAKE_NOW = 1_700_000_000;

const RUNNING_STATES: readonly ProcessState[] = ['RUNNING', 'STARTING', 'BACKOFF'];

function fakeProcess(name: string, group: string, state: ProcessState, pid = 0): FakeProcess {
  return {
    name, group, state, pid, start: state === 'RUNNING' ? FAKE_NOW - 5 : 0, stop: 0, spawnerr: '', exitstatus: 0,
    stdout: '', stderr: '',
  };
}

export class FakeControlApi implements ControlApi {
  readonly calls: FakeCall[] = [];
  /** Groups configured but not active (addProcessGroup takes them from here). */
  readonly available = new Map<string, FakeProcess[]>();
  processes: FakeProcess[];
  daemonState: DaemonState = { statecode: 1, statename: 'RUNNING' };
  mainLog = 'main log line\n';
  /** getProcessHistory's answer per namespec (default none). */
  readonly histories = new Map<string, ProcessEnd[]>();
  reloadResult: [[string[], string[], string[]]] = [[[], [], []]];
  private readonly failures = new Map<ControlMethod, Error>();

  constructor(processes?: FakeProcess[]) {
    this.processes = processes ?? [
      fakeProcess('web', 'web', 'RUNNING', 1234),
      fakeProcess('worker_0', 'workers', 'STOPPED'),
      fakeProcess('worker_1', 'workers', 'RUNNING', 1236),
      fakeProcess('cron', 'cron', 'FATAL'),
    ];
    const cron = this.processes.find((p) => p.name === 'cron');
    if (cron !== undefined) cron.spawnerr = "can't find command '/nonexistent'";
    const web = this.processes.find((p) => p.name === 'web');
    if (web !== undefined) web.stdout = 'hello from web\n';
  }

  static process(name: string, group: string, state: ProcessState, pid = 0): FakeProcess {
    return fakeProcess(name, group, state, pid);
  }

  /** Every later call of `method` rejects with `error` (a SupervisorError or any Error). */
  failWith(method: ControlMethod, error: Error): void {
    this.failures.set(method, error);
  }

  setState(namespec: string, state: ProcessState, pid = state === 'RUNNING' ? 4242 : 0): void {
    const p = this.find(namespec);
    p.state = state;
    p.pid = pid;
  }

  callsOf(method: ControlMethod): (readonly unknown[])[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private async op<T>(method: ControlMethod, args: readonly unknown[], fn: () => T | Promise<T>): Promise<T> {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure !== undefined) throw failure;
    return await fn();
  }

  private find(namespec: string): FakeProcess {
    const colon = namespec.indexOf(':');
    const [group, name] = colon === -1 ? [namespec, namespec] : [namespec.slice(0, colon), namespec.slice(colon + 1)];
    const p = this.processes.find((x) => x.group === group && x.name === name);
    if (p === undefined) throw new SupervisorError('BAD_NAME', namespec);
    return p;
  }

  private inGroup(group: string): FakeProcess[] {
    const members = this.processes.filter((p) => p.group === group);
    if (members.length === 0) throw new SupervisorError('BAD_NAME', group);
    return members;
  }

  private info(p: FakeProcess): ProcessInfo {
    let description = '';
    if (p.state === 'RUNNING') description = `pid ${p.pid}, uptime 0:00:${String(FAKE_NOW - p.start).padStart(2, '0')}`;
    else if (p.state === 'FATAL' || p.state === 'BACKOFF') description = p.spawnerr;
    else if (p.state === 'STOPPED' || p.state === 'EXITED') description = p.start === 0 ? 'Not started' : 'Nov 25 09:01 AM';
    return {
      name: p.name, group: p.group, description, start: p.start, stop: p.stop, now: FAKE_NOW,
      state: STATE_CODES[p.state], statename: p.state, spawnerr: p.spawnerr, exitstatus: p.exitstatus,
      logfile: `/logs/${p.name}.out`, stdout_logfile: `/logs/${p.name}.out`, stderr_logfile: `/logs/${p.name}.err`, pid: p.pid,
    };
  }

  private results(targets: FakeProcess[], each: (p: FakeProcess) => void): ProcessResult[] {
    return targets.map((p) => {
      try {
        each(p);
        return { name: p.name, group: p.group, status: FAULTS.SUCCESS.code, description: 'OK' };
      } catch (error) {
        if (!(error instanceof SupervisorError)) throw error;
        return { name: p.name, group: p.group, status: error.faultCode, description: error.faultString };
      }
    });
  }

  private startOne(p: FakeProcess, namespec: string): void {
    if (RUNNING_STATES.includes(p.state)) throw new SupervisorError('ALREADY_STARTED', namespec);
    p.state = 'RUNNING';
    p.pid = 5000 + this.processes.indexOf(p);
    p.start = FAKE_NOW;
  }

  private stopOne(p: FakeProcess, namespec: string): void {
    if (!RUNNING_STATES.includes(p.state)) throw new SupervisorError('NOT_RUNNING', namespec);
    p.state = 'STOPPED';
    p.pid = 0;
    p.stop = FAKE_NOW;
  }

  private signalOne(p: FakeProcess, namespec: string, signal: string): void {
    if (!/^(?:SIG)?[A-Z0-9]+$/u.test(signal) || signal === 'BOGUS') throw new SupervisorError('BAD_SIGNAL', signal);
    if (p.state !== 'RUNNING' && p.state !== 'STARTING' && p.state !== 'STOPPING') throw new SupervisorError('NOT_RUNNING', namespec);
  }

  private static slice(text: string, offset: number, length: number): string {
    if (offset < 0 && length !== 0) throw new SupervisorError('BAD_ARGUMENTS');
    if (offset < 0) return text.slice(offset);
    return length === 0 ? text.slice(offset) : text.slice(offset, offset + length);
  }

  private static groupSpec(namespec: string): string | null {
    return namespec.endsWith(':*') || namespec.endsWith(':') ? namespec.slice(0, namespec.indexOf(':')) : null;
  }

  getAPIVersion(): Promise<string> {
    return this.op('getAPIVersion', [], () => '3.0');
  }

  getSupervisorVersion(): Promise<string> {
    return this.op('getSupervisorVersion', [], () => '4.2.5');
  }

  getIdentification(): Promise<string> {
    return this.op('getIdentification', [], () => 'supervisor');
  }

  getState(): Promise<DaemonState> {
    return this.op('getState', [], () => this.daemonState);
  }

  getPID(): Promise<number> {
    return this.op('getPID', [], () => 4321);
  }

  readLog(offset: number, length: number): Promise<string> {
    return this.op('readLog', [offset, length], () => FakeControlApi.slice(this.mainLog, offset, length));
  }

  clearLog(): Promise<boolean> {
    return this.op('clearLog', [], () => {
      this.mainLog = '';
      return true;
    });
  }

  shutdown(): Promise<boolean> {
    return this.op('shutdown', [], () => true);
  }

  restart(): Promise<boolean> {
    return this.op('restart', [], () => true);
  }

  reloadConfig(): Promise<[[string[], string[], string[]]]> {
    return this.op('reloadConfig', [], () => this.reloadResult);
  }

  addProcessGroup(name: string): Promise<boolean> {
    return this.op('addProcessGroup', [name], () => {
      if (this.processes.some((p) => p.group === name)) throw new SupervisorError('ALREADY_ADDED', name);
      const members = this.available.get(name);
      if (members === undefined) throw new SupervisorError('BAD_NAME', name);
      this.processes.push(...members);
      this.available.delete(name);
      return true;
    });
  }

  removeProcessGroup(name: string): Promise<boolean> {
    return this.op('removeProcessGroup', [name], () => {
      const members = this.inGroup(name);
      if (members.some((p) => p.state !== 'STOPPED' && p.state !== 'EXITED' && p.state !== 'FATAL')) {
        throw new SupervisorError('STILL_RUNNING', name);
      }
      this.processes = this.processes.filter((p) => p.group !== name);
      this.available.set(name, members);
      return true;
    });
  }

  startProcess(name: string, wait?: boolean): Promise<boolean> {
    return this.op('startProcess', wait === undefined ? [name] : [name, wait], () => {
      const group = FakeControlApi.groupSpec(name);
      if (group !== null) this.results(this.inGroup(group).filter((p) => !RUNNING_STATES.includes(p.state)), (p) => { this.startOne(p, name); });
      else this.startOne(this.find(name), name);
      return true;
    });
  }

  startProcessGroup(name: string, wait?: boolean): Promise<ProcessResult[]> {
    return this.op('startProcessGroup', wait === undefined ? [name] : [name, wait], () =>
      this.results(this.inGroup(name).filter((p) => !RUNNING_STATES.includes(p.state)), (p) => { this.startOne(p, p.name); }));
  }

  startAllProcesses(wait?: boolean): Promise<ProcessResult[]> {
    return this.op('startAllProcesses', wait === undefined ? [] : [wait], () =>
      this.results(this.processes.filter((p) => !RUNNING_STATES.includes(p.state)), (p) => { this.startOne(p, p.name); }));
  }

  stopProcess(name: string, wait?: boolean): Promise<boolean> {
    return this.op('stopProcess', wait === undefined ? [name] : [name, wait], () => {
      const group = FakeControlApi.groupSpec(name);
      if (group !== null) this.results(this.inGroup(group).filter((p) => RUNNING_STATES.includes(p.state)), (p) => { this.stopOne(p, name); });
      else this.stopOne(this.find(name), name);
      return true;
    });
  }

  stopProcessGroup(name: string, wait?: boolean): Promise<ProcessResult[]> {
    return this.op('stopProcessGroup', wait === undefined ? [name] : [name, wait], () =>
      this.results(this.inGroup(name).filter((p) => RUNNING_STATES.includes(p.state)), (p) => { this.stopOne(p, p.name); }));
  }

  stopAllProcesses(wait?: boolean): Promise<ProcessResult[]> {
    return this.op('stopAllProcesses', wait === undefined ? [] : [wait], () =>
      this.results(this.processes.filter((p) => RUNNING_STATES.includes(p.state)), (p) => { this.stopOne(p, p.name); }));
  }

  signalProcess(name: string, signal: string): Promise<boolean> {
    return this.op('signalProcess', [name, signal], () => {
      this.signalOne(this.find(name), name, signal);
      return true;
    });
  }

  signalProcessGroup(name: string, signal: string): Promise<ProcessResult[]> {
    return this.op('signalProcessGroup', [name, signal], () =>
      this.results(this.inGroup(name).filter((p) => p.state === 'RUNNING'), (p) => { this.signalOne(p, p.name, signal); }));
  }

  signalAllProcesses(signal: string): Promise<ProcessResult[]> {
    return this.op('signalAllProcesses', [signal], () =>
      this.results(this.processes.filter((p) => p.state === 'RUNNING'), (p) => { this.signalOne(p, p.name, signal); }));
  }

  getProcessInfo(name: string): Promise<ProcessInfo> {
    return this.op('getProcessInfo', [name], () => this.info(this.find(name)));
  }

  getAllProcessInfo(): Promise<ProcessInfo[]> {
    return this.op('getAllProcessInfo', [], () => this.processes.map((p) => this.info(p)));
  }

  getProcessHistory(name: string): Promise<ProcessEnd[]> {
    return this.op('getProcessHistory', [name], () => {
      this.find(name);
      return this.histories.get(name) ?? [];
    });
  }

  getAllConfigInfo(): Promise<ConfigInfo[]> {
    return this.op('getAllConfigInfo', [], () => this.processes.map((p): ConfigInfo => ({
      name: p.name, group: p.group, command: `/bin/${p.name}`, autostart: true, inuse: true, exitcodes: [0],
    })));
  }

  readProcessStdoutLog(name: string, offset: number, length: number): Promise<string> {
    return this.op('readProcessStdoutLog', [name, offset, length], () => FakeControlApi.slice(this.find(name).stdout, offset, length));
  }

  readProcessStderrLog(name: string, offset: number, length: number): Promise<string> {
    return this.op('readProcessStderrLog', [name, offset, length], () => FakeControlApi.slice(this.find(name).stderr, offset, length));
  }

  tailProcessStdoutLog(name: string, offset: number, length: number): Promise<[string, number, boolean]> {
    return this.op('tailProcessStdoutLog', [name, offset, length], (): [string, number, boolean] => {
      const text = this.find(name).stdout;
      return [text.slice(Math.max(0, text.length - length)), text.length, text.length > offset + length];
    });
  }

  tailProcessStderrLog(name: string, offset: number, length: number): Promise<[string, number, boolean]> {
    return this.op('tailProcessStderrLog', [name, offset, length], (): [string, number, boolean] => {
      const text = this.find(name).stderr;
      return [text.slice(Math.max(0, text.length - length)), text.length, text.length > offset + length];
    });
  }

  clearProcessLogs(name: string): Promise<boolean> {
    return this.op('clearProcessLogs', [name], () => {
      const p = this.find(name);
      p.stdout = '';
      p.stderr = '';
      return true;
    });
  }

  clearAllProcessLogs(): Promise<ProcessResult[]> {
    return this.op('clearAllProcessLogs', [], () => this.results(this.processes, (p) => {
      p.stdout = '';
      p.stderr = '';
    }));
  }

  sendProcessStdin(name: string, chars: string): Promise<boolean> {
    return this.op('sendProcessStdin', [name, chars], () => {
      const p = this.find(name);
      if (p.pid === 0) throw new SupervisorError('NOT_RUNNING', name);
      return true;
    });
  }

  sendRemoteCommEvent(type: string, data: string): Promise<boolean> {
    return this.op('sendRemoteCommEvent', [type, data], () => true);
  }
}
