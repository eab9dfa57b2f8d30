// `ready=http://HOST:PORT/PATH` (and https://): a GET answers 2xx or 3xx. Redirects are not
// followed (a 3xx already says the server serves), the body is never read, and no connection is
// kept: each try opens its own (agent: false) and closes it with the answer's headers.
//
// https:// does not verify the certificate (rejectUnauthorized: false). The probe asks whether the
// child serves, not whom it serves as, and sends nothing secret; a program on loopback with https
// mostly has a self-signed or internal-CA certificate the daemon cannot know, and verifying would
// make such a probe never pass. Checking the certificate is the clients' business, not readiness'.

import * as http from 'node:http';
import * as https from 'node:https';
import { failed, PASSED, type CheckOutcome } from '../probe.js';
import type { Attempt } from './poll.js';

/** A server that accepts before its application is up may hold a request a while: 2 s per try. */
export const HTTP_TIMING = { intervalMs: 100, tryTimeoutMs: 2000 } as const;

const HEADERS = { 'user-agent': 'tssupervisor-ready-probe', connection: 'close' };

export function httpAttempt(url: URL): Attempt {
  return async (signal) => new Promise<CheckOutcome>((resolve) => {
    const answered = (res: http.IncomingMessage): void => {
      const status = res.statusCode ?? 0;
      res.destroy();
      resolve(status >= 200 && status < 400 ? PASSED : failed(`GET ${url.href} answered ${status}`));
    };
    // The signal destroys the request (and its socket); that error settles the try.
    const request = url.protocol === 'https:'
      ? https.get(url, { agent: false, signal, headers: HEADERS, rejectUnauthorized: false }, answered)
      : http.get(url, { agent: false, signal, headers: HEADERS }, answered);
    request.on('error', (error) => { resolve(failed(`GET ${url.href}: ${error.message}`)); });
  });
}
