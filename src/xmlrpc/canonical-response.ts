// A fast path for reading method responses in the form every XML-RPC server we talk to writes
// (Python's xmlrpc.client.dumps and encode.ts): bare tags, whitespace between them, text only
// inside <value>, <name> and scalars. It builds the value straight from the text, with no
// element tree in between: `status` with 1000 programs gets a ~1 MB response of ~60,000
// elements, and the tree (and the garbage collections it costs while it all stays alive) was
// most of the command's time.
//
// It is a strict subset of codec.ts's general reader: anything it does not recognise (comments,
// CDATA, attributes, processing instructions inside, odd whitespace, a malformed value, too deep
// a nesting) makes it answer `undefined`, and the caller reads the document the general way,
// which gives the value or the error exactly as before. What it does accept, it decodes to the
// same value the general reader would.

import { decodeText, prepareXml } from './xml-reader.js';
import { parseScalar } from './scalars.js';
import type { XmlRpcResponse, XmlRpcValue } from './codec.js';

/** Not in the canonical form: let the general reader decide. */
class NotCanonical extends Error {}

const NOT_CANONICAL = new NotCanonical();

function bail(): never {
  throw NOT_CANONICAL;
}

/** XML whitespace after line-end normalisation, as the general reader skips it. */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a;
}

class Cursor {
  pos = 0;
  readonly src: string;
  private readonly maxDepth: number;

  constructor(src: string, maxDepth: number) {
    this.src = src;
    this.maxDepth = maxDepth;
  }

  skipSpace(): void {
    const { src } = this;
    let { pos } = this;
    while (pos < src.length && isSpace(src.charCodeAt(pos))) pos++;
    this.pos = pos;
  }

  /** Skips whitespace, then consumes `tag` (e.g. `<value>`) if it comes next. */
  accept(tag: string): boolean {
    this.skipSpace();
    if (!this.src.startsWith(tag, this.pos)) return false;
    this.pos += tag.length;
    return true;
  }

  expect(tag: string): void {
    if (!this.accept(tag)) bail();
  }

  /** Decoded text up to `closing`, which must be the next markup. */
  textUntil(closing: string): string {
    const lt = this.src.indexOf('<', this.pos);
    if (lt < 0 || !this.src.startsWith(closing, lt)) bail();
    const raw = this.src.slice(this.pos, lt);
    this.pos = lt + closing.length;
    return decodeText(raw);
  }

  /** After `<value>`: one value and its `</value>`. */
  value(depth: number): XmlRpcValue {
    if (depth > this.maxDepth) bail();
    const { src } = this;
    const lt = src.indexOf('<', this.pos);
    if (lt < 0) bail();
    if (src.startsWith('</value>', lt)) return this.textUntil('</value>'); // untyped: a string
    for (let i = this.pos; i < lt; i++) if (!isSpace(src.charCodeAt(i))) bail();
    const gt = src.indexOf('>', lt);
    if (gt < 0) bail();
    let type = src.slice(lt + 1, gt);
    this.pos = gt + 1;
    let text: string | null = null;
    if (type.endsWith('/')) {
      type = type.slice(0, -1);
      text = '';
    }
    let result: XmlRpcValue;
    switch (type) {
      case 'array':
        if (text !== null) bail();
        result = this.array(depth);
        break;
      case 'struct':
        if (text !== null) bail();
        result = this.struct(depth);
        break;
      default:
        result = scalar(type, text ?? this.textUntil(`</${type}>`));
    }
    this.expect('</value>');
    return result;
  }

  private array(depth: number): XmlRpcValue[] {
    this.expect('<data>');
    const items: XmlRpcValue[] = [];
    while (!this.accept('</data>')) {
      this.expect('<value>');
      items.push(this.value(depth + 1));
    }
    this.expect('</array>');
    return items;
  }

  private struct(depth: number): Record<string, XmlRpcValue> {
    const struct = Object.create(null) as Record<string, XmlRpcValue>; // as the general reader
    // A member may still nest one level deeper (else value() bails, as the general reader fails).
    const scalarsFit = depth < this.maxDepth;
    for (;;) {
      SCALAR_MEMBER.lastIndex = this.pos;
      const m = scalarsFit ? SCALAR_MEMBER.exec(this.src) : null;
      if (m !== null) {
        const [, name = '', type, typed = '', untyped = ''] = m;
        struct[decodeText(name)] = type === undefined ? decodeText(untyped) : scalar(type, decodeText(typed));
        this.pos = SCALAR_MEMBER.lastIndex;
        continue;
      }
      if (this.accept('</struct>')) break;
      this.expect('<member>');
      this.expect('<name>');
      const name = this.textUntil('</name>');
      this.expect('<value>');
      struct[name] = this.value(depth + 1);
      this.expect('</member>');
    }
    return struct;
  }
}

/**
 * One struct member holding a scalar, matched whole: the regexp engine walks the ~14,000
 * members of a 1000-program status faster than the tag-by-tag methods, which remain for
 * everything else (arrays and structs inside, anything this does not match).
 */
const SCALAR_MEMBER = /[ \t\n]*<member>[ \t\n]*<name>([^<]*)<\/name>[ \t\n]*<value>(?:[ \t\n]*<(string|int|i4|i8|boolean|double|base64|dateTime\.iso8601)>([^<]*)<\/\2>[ \t\n]*|([^<]*))<\/value>[ \t\n]*<\/member>/uy;

/** A scalar's value; text the general reader would refuse (it says why) is not canonical either. */
function scalar(type: string, text: string): XmlRpcValue {
  const value = parseScalar(type, text);
  return value === undefined ? bail() : value;
}

/** The response, when `xml` is in the canonical form; undefined when the general reader must read it. */
export function readCanonicalResponse(xml: string, maxValueDepth: number): XmlRpcResponse | undefined {
  try {
    const c = new Cursor(prepareXml(xml), maxValueDepth);
    if (c.src.startsWith('<?xml')) {
      const end = c.src.indexOf('?>');
      if (!isSpace(c.src.charCodeAt(5)) || end < 0) return undefined;
      c.pos = end + 2;
    }
    c.expect('<methodResponse>');
    let response: XmlRpcResponse;
    if (c.accept('<params>')) {
      c.expect('<param>');
      c.expect('<value>');
      response = { ok: true, value: c.value(1) };
      c.expect('</param>');
      c.expect('</params>');
    } else {
      c.expect('<fault>');
      c.expect('<value>');
      const fault = c.value(1);
      c.expect('</fault>');
      if (fault === null || typeof fault !== 'object' || Array.isArray(fault)) return undefined;
      const { faultCode, faultString } = fault;
      if (typeof faultCode !== 'number' || typeof faultString !== 'string') return undefined;
      response = { ok: false, faultCode, faultString };
    }
    c.expect('</methodResponse>');
    c.skipSpace();
    return c.pos === c.src.length ? response : undefined;
  } catch {
    // NotCanonical, or a scalar or reference the general reader will refuse with its own message.
    return undefined;
  }
}
