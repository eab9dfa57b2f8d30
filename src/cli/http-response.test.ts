import { describe, expect, it } from 'vitest';
import { HangUp, HttpParseError, HttpResponseReader, type HttpResponse } from './http-response.js';

/** Feeds `parts` one by one; the response from the first feed that completes it, else null. */
function feedAll(reader: HttpResponseReader, parts: readonly string[]): HttpResponse | null {
  for (const part of parts) {
    const done = reader.feed(Buffer.from(part, 'latin1'));
    if (done !== null) return done;
  }
  return null;
}

describe('HttpResponseReader', () => {
  it('completes a Content-Length body as soon as its last byte arrives, however it is split', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 11\r\n\r\nhello world';
    for (let cut = 1; cut < text.length; cut++) {
      const done = feedAll(new HttpResponseReader(), [text.slice(0, cut), text.slice(cut)]);
      expect(done?.status).toBe(200);
      expect(done?.reason).toBe('OK');
      expect(done?.contentType).toBe('text/xml');
      expect(done?.body.toString()).toBe('hello world');
    }
  });

  it('waits for the whole body before answering', () => {
    const reader = new HttpResponseReader();
    expect(reader.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc'))).toBeNull();
    const done = reader.feed(Buffer.from('de'));
    expect(done?.body.toString()).toBe('abcde');
    expect(done?.contentType).toBe('');
  });

  it('joins a chunked body once its last chunk is in, however it is split', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const done = feedAll(new HttpResponseReader(), [text.slice(0, cut), text.slice(cut)]);
      expect(done?.body.toString()).toBe('hello world');
    }
  });

  it('takes a body without length as ending with the connection', () => {
    const reader = new HttpResponseReader();
    expect(reader.feed(Buffer.from('HTTP/1.0 200 OK\r\n\r\n<x/>'))).toBeNull();
    expect(reader.end().body.toString()).toBe('<x/>');
  });

  it('keeps the status and reason of a refusal', () => {
    const done = feedAll(new HttpResponseReader(), ['HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n']);
    expect(done).toMatchObject({ status: 401, reason: 'Unauthorized' });
  });

  it('reports a connection closed early as node:http does: ECONNRESET without errno', () => {
    expect(() => new HttpResponseReader().end()).toThrow(HangUp);
    const midBody = new HttpResponseReader();
    midBody.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc'));
    const error = (() => {
      try {
        midBody.end();
      } catch (e) {
        return e as NodeJS.ErrnoException;
      }
      return null;
    })();
    expect(error?.code).toBe('ECONNRESET');
    expect(error?.errno).toBeUndefined();
  });

  it('refuses what is not HTTP', () => {
    expect(() => new HttpResponseReader().feed(Buffer.from('SSH-2.0-x\r\n\r\n'))).toThrow(HttpParseError);
    expect(() => new HttpResponseReader().feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n'))).toThrow(HttpParseError);
  });
});
