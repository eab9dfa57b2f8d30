// `ready=tcp:HOST:PORT`: a TCP connect succeeds. The connection is closed at once, with a FIN
// (nothing is sent), so the server sees a client that came and went.

import { tcpConnect } from '../../host/tcp-connect.js';
import { failed, PASSED } from '../probe.js';
import type { Attempt } from './poll.js';

/** A loopback connect is refused at once while nothing listens; a filtered remote address would
 *  hang until the SYN gives up, hence the try's own timeout. */
export const TCP_TIMING = { intervalMs: 50, tryTimeoutMs: 1000 } as const;

/** The caller that aborted knows why (its timeout, a stop) and says so itself. */
export function tcpAttempt(host: string, port: number): Attempt {
  return async (signal) => {
    const why = await tcpConnect(host, port, signal);
    return why === null ? PASSED : failed(why);
  };
}
