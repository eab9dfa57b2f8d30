// Server-sent events (the WHATWG text/event-stream format) for the dashboard's live feed: the
// framing, kept pure so it is tested alone, and one stream per client that bounds what a slow
// client can make the daemon hold.

import type { ServerResponse } from 'node:http';

/**
 * One event: `event:` names it, `data:` carries it (one `data:` line per line, as the format
 * joins them back with newlines; a CR or LF inside would otherwise end the field early).
 */
export function sseEvent(event: string, data: string): string {
  if (/[\r\n]/u.test(event)) throw new Error('an SSE event name is one line');
  const lines = data.split(/\r\n|\r|\n/u).map((line) => `data: ${line}\n`).join('');
  return `event: ${event}\n${lines}\n`;
}

/** A comment line: ignored by EventSource, but traffic that keeps proxies from closing the stream. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/gu, ' ')}\n\n`;
}

/** How long the browser waits before reconnecting after the stream ends. */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.trunc(ms))}\n\n`;
}

export interface SseLimits {
  /** Bytes queued in the socket beyond which the client is dropped (it reconnects and refetches). */
  readonly maxBacklogBytes: number;
  readonly heartbeatMs: number;
}

/**
 * One client's stream over `res` (headers already sent). write() never waits: a client that does
 * not read fills Node's buffer, and past `maxBacklogBytes` it is ended rather than buffered without
 * bound. The bound is judged once the socket has had its turn (a burst written in one tick sits in
 * Node's buffer until then, however fast the client reads), but a burst past four times the bound
 * ends it at once. Returns a stop function; `onEnd` runs once, whoever ends it.
 */
export function openSseStream(res: ServerResponse, limits: SseLimits, onEnd: () => void): { write(chunk: string): void; stop(): void } {
  let ended = false;
  let checking = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    res.off('close', end);
    onEnd();
    // destroy, not end: an end() would queue behind the backlog it is meant to drop.
    if (!res.destroyed) res.destroy();
  };
  // After the poll phase, where libuv hands queued bytes to the kernel: what is left is the client's.
  const check = (): void => {
    checking = false;
    if (res.writableLength > limits.maxBacklogBytes) end();
  };
  const write = (chunk: string): void => {
    if (ended) return;
    res.write(chunk);
    const backlog = res.writableLength;
    if (backlog > 4 * limits.maxBacklogBytes) end();
    else if (backlog > limits.maxBacklogBytes && !checking) {
      checking = true;
      setImmediate(check);
    }
  };
  const heartbeat = setInterval(() => {
    write(sseComment('heartbeat'));
  }, limits.heartbeatMs);
  heartbeat.unref();
  res.on('close', end);
  return { write, stop: end };
}
