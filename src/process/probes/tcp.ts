// `ready=tcp:HOST:PORT`: a TCP connect succeeds. The connection is closed at once, with a FIN
// (nothing is sent), so the server sees a client that came and went.

import { connect } from 'node:net';
import type { Attempt } from './poll.js';

/** A loopback connect is refused at once while nothing listens; a filtered remote address would
 *  hang until the SYN gives up, hence the try's own timeout. */
export const TCP_TIMING = { intervalMs: 50, tryTimeoutMs: 1000 } as const;

export function tcpAttempt(host: string, port: number): Attempt {
  return async (signal) => new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    const finish = (passed: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(passed);
    };
    const onAbort = (): void => { finish(false); };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => { finish(true); });
    // `on`, not `once`: an error after destroy must still find a listener.
    socket.on('error', () => { finish(false); });
  });
}
