// An HTTP/1.1 response read from raw bytes, for the XML-RPC POST over a unix socket
// (unix-post.ts): status line, headers, then a body delimited by Content-Length, chunked
// transfer coding, or the end of the connection. Pure: the caller feeds what the socket gives.

/** What node:http reports for a connection closed before a whole response came (no errno). */
export class HangUp extends Error {
  readonly code = 'ECONNRESET';
}

/** A response node:http's parser would refuse (it reports those with an HPE_ code). */
export class HttpParseError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface HttpResponse {
  readonly status: number;
  readonly reason: string;
  /** The Content-Type header's value, '' without one. */
  readonly contentType: string;
  readonly body: Buffer;
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/u;
const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** What the status line and headers said, as readHead() keeps it. */
interface Head {
  readonly status: number;
  readonly reason: string;
  readonly contentType: string;
  readonly length: number | null;
  readonly chunked: boolean;
}

const responseOf = (head: Head, body: Buffer): HttpResponse => ({ status: head.status, reason: head.reason, contentType: head.contentType, body });

export class HttpResponseReader {
  // Chunks are kept apart and joined once, when the response may be complete: a 1 MB body
  // arrives in ~20 socket reads, and joining at every read would copy it ~20 times.
  private chunks: Buffer[] = [];
  private size = 0;
  private head: Head | null = null;
  private bodyStart = 0;

  /** Takes the next bytes; the response once it is complete, else null. Throws HttpParseError. */
  feed(chunk: Buffer): HttpResponse | null {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.head === null && !this.readHead()) return null;
    if (this.head?.chunked === true && !this.endsWithBlankLine()) return null;
    return this.complete();
  }

  /** The connection ended: the response if its body may end with the connection. Throws HangUp. */
  end(): HttpResponse {
    const done = this.head === null ? null : this.complete();
    if (done !== null) return done;
    if (this.head === null || this.head.chunked || this.head.length !== null) {
      throw new HangUp(this.head === null ? 'socket hang up' : 'aborted');
    }
    return responseOf(this.head, this.joined().subarray(this.bodyStart));
  }

  private joined(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Whether what came so far ends in CRLF CRLF, as a chunked body does once its last chunk is in. */
  private endsWithBlankLine(): boolean {
    let tail = Buffer.alloc(0);
    for (let i = this.chunks.length - 1; i >= 0 && tail.length < HEADER_END.length; i--) tail = Buffer.concat([this.chunks[i] ?? tail, tail]);
    return tail.subarray(-HEADER_END.length).equals(HEADER_END);
  }

  private readHead(): boolean {
    const buffered = this.joined();
    const at = buffered.indexOf(HEADER_END);
    if (at < 0) return false;
    const [statusLine = '', ...lines] = buffered.subarray(0, at).toString('latin1').split('\r\n');
    const m = STATUS_LINE.exec(statusLine);
    if (m === null) throw new HttpParseError('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/');
    let length: number | null = null;
    let chunked = false;
    let contentType = '';
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new HttpParseError('HPE_INVALID_HEADER_TOKEN', 'Parse Error: Invalid header value char');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d+$/u.test(value)) throw new HttpParseError('HPE_INVALID_CONTENT_LENGTH', 'Parse Error: Invalid character in Content-Length');
        length = Number(value);
      } else if (name === 'content-type') {
        contentType = value;
      } else if (name === 'transfer-encoding') {
        chunked = value.toLowerCase().split(',').at(-1)?.trim() === 'chunked';
      }
    }
    const status = Number(m[1]);
    // Responses that never have a body (RFC 9112 6.3).
    if (status === 204 || status === 304 || (status >= 100 && status < 200)) length = 0;
    this.head = { status, reason: m[2] ?? '', contentType, length: chunked ? null : length, chunked };
    this.bodyStart = at + HEADER_END.length;
    return true;
  }

  private complete(): HttpResponse | null {
    const head = this.head;
    if (head === null) return null;
    let body: Buffer | null;
    if (head.chunked) body = this.dechunk();
    else if (head.length !== null) body = this.size - this.bodyStart >= head.length ? this.joined().subarray(this.bodyStart, this.bodyStart + head.length) : null;
    else body = null;
    return body === null ? null : responseOf(head, body);
  }

  /** The body of a chunked response once its last chunk has come, else null. */
  private dechunk(): Buffer | null {
    const buffered = this.joined();
    const parts: Buffer[] = [];
    let pos = this.bodyStart;
    for (;;) {
      const eol = buffered.indexOf(CRLF, pos);
      if (eol < 0) return null;
      const sizeText = buffered.subarray(pos, eol).toString('latin1').split(';')[0]?.trim() ?? '';
      if (!/^[0-9a-fA-F]+$/u.test(sizeText)) throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', 'Parse Error: Invalid character in chunk size');
      const size = Number.parseInt(sizeText, 16);
      const start = eol + CRLF.length;
      if (size === 0) {
        // Trailers, if any, end with an empty line.
        return buffered.indexOf(CRLF, start) < 0 ? null : Buffer.concat(parts);
      }
      if (buffered.length < start + size + CRLF.length) return null;
      parts.push(buffered.subarray(start, start + size));
      pos = start + size + CRLF.length;
    }
  }
}
