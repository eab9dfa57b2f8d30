// A TCP connect that only asks "does something accept here?", for tcp: probes (ready= and
// healthcheck=). Node's net.Socket costs ~400 us of CPU per connect (a stream, a handle, its
// events); the native addon's bare non-blocking connect costs ~15 us, which is what makes 100
// health checks a second cheap. Without the addon, or for a host name, Node's socket does it.

import { connect } from 'node:net';
import { constants } from 'node:os';
import { errnoName, loadNativeAddon } from './native-addon.js';

/** null: connected; otherwise Node's wording of why not (`connect ECONNREFUSED 127.0.0.1:6380`),
 *  'aborted' (the signal) or TIMED_OUT. */
export type ConnectOutcome = string | null;

/** What a try that outlived its `timeoutMs` answers; the caller words it in its own terms. */
export const TIMED_OUT = 'timed out';

/** Without a timeout of the caller's, a try still never outlives this. */
const CAP_MS = 60_000;
const { ETIMEDOUT } = constants.errno;

/** Connects and closes; `signal` ends the try early ('aborted'), and so does `timeoutMs` (TIMED_OUT):
 *  a health check needs no timer of its own, which matters at 100 checks a second. */
export async function tcpConnect(host: string, port: number, signal: AbortSignal, timeoutMs = CAP_MS): Promise<ConnectOutcome> {
  const addon = loadNativeAddon();
  const native = 'missing' in addon ? undefined : addon;
  const { tcpConnect: start, tcpCancel: cancel } = native ?? {};
  if (start !== undefined && cancel !== undefined) {
    const outcome = await new Promise<ConnectOutcome | undefined>((resolve) => {
      // As Node words it: `connect ECONNREFUSED 127.0.0.1:6380`.
      const why = (errno: number): string => `connect ${errnoName(errno) ?? `errno ${errno}`} ${host}:${port}`;
      const onAbort = (): void => {
        cancel(id);
        resolve('aborted');
      };
      const id = start(host, port, timeoutMs, (errno) => {
        signal.removeEventListener('abort', onAbort);
        // The addon's own timer says ETIMEDOUT; the kernel's (a SYN never answered) takes minutes.
        resolve(errno === 0 ? null : errno === ETIMEDOUT ? TIMED_OUT : why(errno));
      });
      if (id === 0) resolve(undefined); // a host name: Node's socket resolves it
      else if (id < 0) resolve(why(-id));
      else if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    if (outcome !== undefined) return outcome;
  }
  return nodeConnect(host, port, signal, timeoutMs);
}

function nodeConnect(host: string, port: number, signal: AbortSignal, timeoutMs: number): Promise<ConnectOutcome> {
  return new Promise<ConnectOutcome>((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => { finish(TIMED_OUT); }, timeoutMs);
    const finish = (outcome: ConnectOutcome): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => { finish('aborted'); };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => { finish(null); });
    // `on`, not `once`: an error after destroy must still find a listener. Node's message is the
    // operator's answer already: `connect ECONNREFUSED 127.0.0.1:6380`, `getaddrinfo ENOTFOUND db`.
    socket.on('error', (error) => { finish(error.message); });
  });
}
