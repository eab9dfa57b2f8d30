// The daemon's own side of systemd's notify protocol (sd_notify(3)): under a Type=notify unit
// systemd gives us NOTIFY_SOCKET and waits for READY=1. Node has no unix datagram sockets, so the
// datagrams go through the native addon; without it systemd never hears READY=1 (the unit then
// has to be Type=simple), and the daemon says so once.

import { errnoName, loadNativeAddon } from './native-addon.js';

/**
 * What systemd passes to the service's main process and no child of ours may inherit: a child
 * that saw NOTIFY_SOCKET could tell systemd the service is ready or stopping (a `ready=notify`
 * program gets a socket of its own from its probe), WATCHDOG_* would make it look watched, and
 * LISTEN_* would make a socket-activated child take descriptors that are not there.
 */
export const SYSTEMD_SERVICE_ENV = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID', 'LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES'] as const;

/** Removes SYSTEMD_SERVICE_ENV from env (process.env: the children's environment is read from it); returns NOTIFY_SOCKET. */
export function takeSystemdEnvironment(env: Record<string, string | undefined>): string | null {
  const socket = env['NOTIFY_SOCKET'];
  for (const name of SYSTEMD_SERVICE_ENV) Reflect.deleteProperty(env, name);
  return socket === undefined || socket === '' ? null : socket;
}

export interface SystemdNotifier {
  /** Sends `lines` as one datagram (`READY=1`, `STATUS=…`); a failure is reported through onError. */
  notify(lines: readonly string[]): void;
}

export type NotifySend = (path: string, message: string) => number;

/** The addon's sender, or why there is none. */
export function nativeNotifySend(): NotifySend | { readonly missing: string } {
  const addon = loadNativeAddon();
  if ('missing' in addon) return addon;
  if (addon.notifySend === undefined) return { missing: 'the native addon has no notifySend (an old build: run npm install)' };
  return addon.notifySend;
}

/**
 * A notifier for `socket` (NOTIFY_SOCKET), or null when there is none. A failed send is reported
 * once per errno: systemd gone away must not fill the log at every reload.
 */
export function systemdNotifier(socket: string | null, send: NotifySend, onError: (message: string) => void): SystemdNotifier | null {
  if (socket === null) return null;
  const reported = new Set<number>();
  return {
    notify(lines) {
      const errno = send(socket, lines.join('\n'));
      if (errno === 0 || reported.has(errno)) return;
      reported.add(errno);
      onError(`could not notify systemd at NOTIFY_SOCKET=${socket} (${lines[0] ?? ''}): ${errnoName(errno) ?? `errno ${errno}`}`);
    },
  };
}
