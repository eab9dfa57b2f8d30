// What the event tests share: running one config under Python's supervisord 4.2.5 (the oracle) or
// under tssupervisord, reading what the recording listener (test/fixtures/record-events.py) wrote,
// and turning both into comparable lines: pids become P1, P2 ... in order of first appearance
// (so "the same pid" is still checked), tick times become T, and everything else is kept.

import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { XmlRpcControlClient } from '../../src/cli/client.js';
import { ROOT } from './bins.js';
import { readText, startDaemon, until, type RunningDaemon } from './daemon-process.js';

export const PYTHON = '/usr/bin/python3';
export const SUPERVISORD = '/usr/bin/supervisord';
export const SUPERVISORCTL = '/usr/bin/supervisorctl';
export const ORACLE_AVAILABLE = existsSync(SUPERVISORD) && existsSync(SUPERVISORCTL) && existsSync(PYTHON);
export const FIXTURES = `${ROOT}test/fixtures`;
export const RECORDER = `${PYTHON} ${FIXTURES}/record-events.py`;

export type DaemonKind = 'supervisord' | 'tssupervisord';
export const DAEMONS: readonly DaemonKind[] = ['supervisord', 'tssupervisord'];

const ENV = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

/** Starts `kind` in the foreground on `conf`; its main log is `log`. */
export function startKind(kind: DaemonKind, conf: string, dir: string, log: string): RunningDaemon {
  return kind === 'supervisord'
    ? startDaemon(['-n', '-c', conf], dir, log, { command: [SUPERVISORD] })
    : startDaemon(['-n', '-c', conf], dir, log);
}

export function controlClient(socket: string): XmlRpcControlClient {
  return new XmlRpcControlClient({ serverurl: `unix://${socket}`, username: null, password: null });
}

/** Waits for the control socket to exist; calls made then wait in its backlog until served. */
export async function waitForSocket(socket: string, timeoutMs = 20_000): Promise<void> {
  await until(`control socket ${socket}`, () => (existsSync(socket) ? true : undefined), timeoutMs);
}

/** supervisor.sendRemoteCommEvent through Python's own XML-RPC transport (test/fixtures/rpc.py). */
export async function sendRemoteCommEvent(socket: string, type: string, data: string): Promise<void> {
  const r = await execa(PYTHON, [`${FIXTURES}/rpc.py`, socket, 'supervisor.sendRemoteCommEvent', JSON.stringify(type), JSON.stringify(data)],
    { reject: false, env: ENV, timeout: 20_000 });
  if (r.exitCode !== 0 || r.stdout.trim() !== 'true') throw new Error(`sendRemoteCommEvent failed (${String(r.exitCode)}): ${r.stdout}${r.stderr}`);
}

/** The stock supervisorctl, for both daemons (it is a real client of ours too). */
export async function supervisorctl(conf: string, ...args: string[]): Promise<string> {
  const r = await execa(SUPERVISORCTL, ['-c', conf, ...args], { reject: false, env: ENV, timeout: 30_000 });
  return r.stdout + r.stderr;
}

/** One event as the recording listener wrote it. */
export interface Recorded {
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly data: string | null;
}

export function readRecords(file: string): Recorded[] {
  return readText(file).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Recorded);
}

/** Waits until `file` holds a record for which `match` is true; returns all records so far. */
export async function waitForRecord(file: string, what: string, match: (r: Recorded) => boolean, timeoutMs = 30_000): Promise<Recorded[]> {
  return until(`${what} recorded in ${file}; so far:\n${readText(file)}`, () => {
    const records = readRecords(file);
    return records.some(match) ? records : undefined;
  }, timeoutMs);
}

export const isEvent = (eventname: string, processname?: string, extra?: (r: Recorded) => boolean) => (r: Recorded): boolean =>
  r.headers['eventname'] === eventname && (processname === undefined || r.fields['processname'] === processname) && (extra?.(r) ?? true);

/** Replaces each distinct pid with P1, P2 ... in order of first appearance, across all texts given to it. */
export class PidLabels {
  private readonly labels = new Map<string, string>();

  label(pid: string): string {
    let l = this.labels.get(pid);
    if (l === undefined) {
      l = `P${this.labels.size + 1}`;
      this.labels.set(pid, l);
    }
    return l;
  }

  /** `pid:123` (payloads) and `pid 123` (log lines). */
  text(s: string): string {
    return s.replace(/\bpid([: ])(\d+)/gu, (_m, sep: string, pid: string) => `pid${sep}${this.label(pid)}`);
  }
}

/** One daemon log line without its timestamp: `INFO spawned: 'x' with pid P1`. */
export function logMessages(log: string): string[] {
  return log.split('\n')
    .map((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\S+) (.*)$/u.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1] ?? ''} ${m[2] ?? ''}`);
}
