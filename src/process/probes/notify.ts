// `ready=notify`: systemd's sd_notify protocol. The child finds a unix datagram socket's path in
// NOTIFY_SOCKET and sends `READY=1` (one line of a newline-separated datagram, as in
// "READY=1\nSTATUS=Ready to accept connections") once it serves; redis with `supervised systemd`
// and anything linked to libsystemd do. Node has no unix datagram sockets, so the socket is the
// native addon's (host.c openNotifySocket): a thread of its own reads it and hands each datagram
// to the event loop at once, so the probe never polls and never blocks.
//
// One socket per process, made at the first spawn and kept across its runs until close(), in one
// directory per daemon (`$TMPDIR/tssupervisor-notify-XXXXXX`, mode 0711: others may pass through
// it, not list it) under an unguessable name (mode 0666: a child running as another user, user=,
// must be able to send). Who may make the process ready is decided by the kernel's credentials on
// each datagram, not by the file's mode: the child itself, or a process of the child's user (a
// helper such as `systemd-notify --ready` it runs), or root. Others' datagrams are ignored.

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeListenFailure } from '../../host/listen-socket.js';
import { loadNativeAddon, type NativeAddon, type NotifySocketHandle } from '../../host/native-addon.js';
import type { Probe, ProbeRun } from '../probe.js';

/** A datagram says READY=1 when one of its lines is exactly that (sd_notify's `KEY=VALUE\n…`). */
export function saysReady(datagram: Buffer): boolean {
  return datagram.toString('utf8').split('\n').includes('READY=1');
}

/** Whether a datagram from (pid, uid) may make the run of `runPid`, whose user is `runUid`, ready. */
export function senderMayNotify(sender: { pid: number; uid: number }, runPid: number, runUid: number | null): boolean {
  return sender.pid === runPid || sender.uid === 0 || (runUid !== null && sender.uid === runUid);
}

/** The real uid of a live process (/proc/<pid>/status `Uid:`), or null once it is gone. */
function uidOf(pid: number): number | null {
  try {
    const match = /^Uid:\s+(\d+)/mu.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

// sockaddr_un.sun_path holds 108 bytes, the terminating NUL included.
const MAX_SOCKET_PATH = 107;

/** The daemon's notify directory, made at the first socket and removed with the last. */
let directory: { readonly path: string; users: number } | null = null;
let exitHookInstalled = false;

function removeDirectory(): void {
  if (directory === null) return;
  rmSync(directory.path, { recursive: true, force: true });
  directory = null;
}

function acquireDirectory(): string {
  if (directory === null) {
    const path = mkdtempSync(join(tmpdir(), 'tssupervisor-notify-'));
    chmodSync(path, 0o711);
    directory = { path, users: 0 };
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', removeDirectory);
    }
  }
  directory.users++;
  return directory.path;
}

function releaseDirectory(): void {
  if (directory === null) return;
  directory.users--;
  if (directory.users <= 0) removeDirectory();
}

interface OpenSocket {
  readonly path: string;
  readonly handle: NotifySocketHandle;
  readonly close: (handle: NotifySocketHandle) => void;
}

interface Sender {
  readonly pid: number;
  readonly uid: number;
}

/** READY=1 datagrams held between a spawn and start(): a few suffice, a flood is not kept. */
const MAX_PENDING = 16;

interface Watch {
  readonly run: ProbeRun;
  readonly ready: () => void;
}

export function notifyProbe(addon: NativeAddon | { readonly missing: string } = loadNativeAddon()): Probe {
  let socket: OpenSocket | null = null;
  let whyNot: string | null = null;
  let pending: Sender[] = [];
  let watching: Watch | null = null;

  const passes = (sender: Sender, run: ProbeRun): boolean => senderMayNotify(sender, run.pid, uidOf(run.pid));
  const pass = (watch: Watch): void => {
    watching = null;
    pending = [];
    watch.ready();
  };
  const onDatagram = (data: Buffer, pid: number, uid: number): void => {
    if (socket === null || !saysReady(data)) return;
    const sender = { pid, uid };
    if (watching === null) {
      if (pending.length < MAX_PENDING) pending.push(sender);
    } else if (passes(sender, watching.run)) {
      pass(watching);
    }
  };
  const open = (): OpenSocket | string => {
    if ('missing' in addon) return `the native addon is not available: ${addon.missing}`;
    const { openNotifySocket, closeNotifySocket } = addon;
    if (openNotifySocket === undefined || closeNotifySocket === undefined) {
      return 'the native addon has no notify socket (an old build: run npm install)';
    }
    let dir: string;
    try {
      dir = acquireDirectory();
    } catch (error) {
      return `cannot make a directory for notify sockets in ${tmpdir()}: ${(error as Error).message}`;
    }
    const path = join(dir, `${randomBytes(12).toString('hex')}.sock`);
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      releaseDirectory();
      return `the notify socket path ${path} is longer than a unix socket allows (${MAX_SOCKET_PATH} bytes): set TMPDIR to a shorter folder`;
    }
    const result = openNotifySocket(path, 0o666, onDatagram);
    if ('handle' in result) return { path, handle: result.handle, close: closeNotifySocket };
    releaseDirectory();
    return `cannot make the notify socket ${path}: ${describeListenFailure(result)}`;
  };

  return {
    description: 'notify',
    environment() {
      // A new spawn: what came before belongs to an earlier run.
      pending = [];
      if (socket === null) {
        const opened = open();
        if (typeof opened === 'string') whyNot = opened;
        else {
          socket = opened;
          whyNot = null;
        }
      }
      return socket === null ? {} : { NOTIFY_SOCKET: socket.path };
    },
    start(run, ready, failed) {
      let stopped = false;
      const timer = setImmediate(() => {
        if (stopped) return;
        if (socket === null) {
          failed?.(`ready=notify cannot work: ${whyNot ?? 'no notify socket was made for this spawn'}`);
          return;
        }
        const watch: Watch = { run, ready };
        const early = pending.find((sender) => passes(sender, run));
        if (early === undefined) watching = watch;
        else pass(watch);
      });
      return () => {
        stopped = true;
        clearImmediate(timer);
        if (watching?.run === run) watching = null;
      };
    },
    close() {
      watching = null;
      pending = [];
      const open = socket;
      socket = null;
      if (open === null) return;
      open.close(open.handle);
      rmSync(open.path, { force: true });
      releaseDirectory();
    },
  };
}
