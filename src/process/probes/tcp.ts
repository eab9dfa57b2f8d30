// `ready=tcp:HOST:PORT`: a TCP connect succeeds. The connection is closed at once, with a FIN
// (nothing is sent), so the server sees a client that came and went.

import { connect } from 'node:net';
import { failed, PASSED, type CheckOutcome } from '../probe.js';
import type { Attempt } from './poll.js';

/** A loopback connect is refused at once while nothing listens; a filtered remote address would
 *  hang until the SYN gives up, hence the try's own timeout. */
export const TCP_TIMING = { intervalMs: 50, tryTimeoutMs: 1000 } as const;

export function tcpAttempt(host: string, port: number): Attempt {
  return async (signal) => new Promise<CheckOutcome>((resolve) => {
    const socket = connect({ host, port });
    const finish = (outcome: CheckOutcome): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    // The caller that aborted knows why (its timeout, a stop) and says so itself.
    const onAbort = (): void => { finish(failed('aborted')); };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => { finish(PASSED); });
    // `on`, not `once`: an error after destroy must still find a listener. Node's message is the
    // operator's answer already: `connect ECONNREFUSED 127.0.0.1:6380`, `getaddrinfo ENOTFOUND db`.
    socket.on('error', (error) => { finish(failed(error.message)); });
  });
}
