// One HTTP/1.1 request over a unix socket, written and read by hand. node:http would do the
// same, but a one-shot `tssupervisorctl pid` then spends more time loading and warming its
// agent machinery (and compiling the IPv6 regexp it checks the Host header with) than talking
// to the daemon. The bytes sent are the ones node:http sent: same headers, same order.

import { connect } from 'node:net';
import { HttpResponseReader, type HttpResponse } from './http-response.js';

/** Sends `head` (request line and headers, ending in a blank line) and `body` to the socket at `path`. */
export function requestOverUnixSocket(path: string, head: string, body: Buffer): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const reader = new HttpResponseReader();
    let settled = false;
    /** Resolves with what `read` returns, or rejects with what it throws; then lets the socket go. */
    const settle = (read: () => HttpResponse | null): void => {
      if (settled) return;
      let response: HttpResponse | null;
      try {
        response = read();
      } catch (error) {
        settled = true;
        reject(error instanceof Error ? error : new Error(String(error)));
        socket.destroy();
        return;
      }
      if (response === null) return;
      settled = true;
      resolve(response);
      socket.destroy();
    };
    const socket = connect({ path });
    socket.on('connect', () => {
      // write, not end: like node:http, no half-close; a server may take EOF as the client leaving.
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    });
    socket.on('data', (chunk: Buffer) => {
      settle(() => reader.feed(chunk));
    });
    // 'close' follows the server's end (and an error, by then settled): the reply is whole or cut.
    socket.on('close', () => {
      settle(() => reader.end());
    });
    socket.on('error', (error) => {
      settle(() => {
        throw error;
      });
    });
  });
}
