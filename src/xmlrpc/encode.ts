// Writing XML-RPC values exactly as Python's xmlrpc.client Marshaller does (newlines included;
// note Python's quirk of no newline after <nil/>). Re-exported by codec.ts.

import { NOT_XML_CHAR } from './xml-reader.js';

/** Brand of XmlRpcDouble. A symbol-keyed object, not a class: typescript-eslint's
 *  no-unsafe-class-instance-assignment recurses forever on recursive types holding a class. */
export const XMLRPC_DOUBLE: unique symbol = Symbol('XmlRpcDouble');

/** A number to send as <double> even when it is integral (2.0 rather than <int>2</int>). */
export interface XmlRpcDouble {
  readonly [XMLRPC_DOUBLE]: number;
}

export function xmlRpcDouble(value: number): XmlRpcDouble {
  // toJSON (not enumerable): in the JSON form (json-form.ts) it is the plain number.
  return Object.freeze(Object.defineProperty({ [XMLRPC_DOUBLE]: value }, 'toJSON', { value: () => value }));
}

/** What the encoders take: every XmlRpcValue, plus xmlRpcDouble(n) and readonly arrays. */
export type XmlRpcInput =
  | string
  | number
  | boolean
  | null
  | XmlRpcDouble
  | readonly XmlRpcInput[]
  | { readonly [key: string]: XmlRpcInput };

const NOT_XML_CHARS = new RegExp(NOT_XML_CHAR.source, 'gu');
const NEEDS_ESCAPE = new RegExp(`[&<>\\r]|${NOT_XML_CHAR.source}`, 'u');
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * `s` with U+FFFD for each character XML 1.0 cannot hold: what the receiver of the XML reads, and
 * so what the JSON form's reader makes of a string too (json-form.ts).
 */
export function xmlChars(s: string): string {
  return NOT_XML_CHAR.test(s) ? s.replace(NOT_XML_CHARS, '\uFFFD') : s;
}

/** Python's escape() (&, <, >), plus U+FFFD for characters XML cannot hold and &#13; for CR. */
export function escapeText(s: string): string {
  // Most names and values need nothing: one test instead of five replaces per string, which
  // was most of the time getAllProcessInfo took to encode at 1000 programs.
  if (!NEEDS_ESCAPE.test(s)) return s;
  return xmlChars(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** Python's repr(float): shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa = '', exponentText = '0'] = n.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = String(n); // JavaScript uses fixed notation for 1e-7 <= |n| < 1e21
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function dump(v: XmlRpcInput, out: string[], open: Set<object>): void {
  if (v === null) {
    out.push('<value><nil/></value>');
  } else if (typeof v === 'string') {
    out.push('<value><string>', escapeText(v), '</string></value>\n');
  } else if (typeof v === 'boolean') {
    out.push(v ? '<value><boolean>1</boolean></value>\n' : '<value><boolean>0</boolean></value>\n');
  } else if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX) out.push(`<value><int>${v}</int></value>\n`);
    else out.push(`<value><double>${pythonFloatRepr(v)}</double></value>\n`);
  } else if (typeof v === 'object' && XMLRPC_DOUBLE in v) {
    out.push(`<value><double>${pythonFloatRepr(v[XMLRPC_DOUBLE])}</double></value>\n`);
  } else if (typeof v === 'object') {
    if (open.has(v)) throw new TypeError('cannot marshal recursive structures');
    open.add(v);
    if (Array.isArray(v)) {
      out.push('<value><array><data>\n');
      for (const item of v as readonly XmlRpcInput[]) dump(item, out, open);
      out.push('</data></array></value>\n');
    } else {
      if (!isPlainObject(v)) throw new TypeError(`cannot marshal objects of class ${v.constructor.name}`);
      out.push('<value><struct>\n');
      for (const [key, item] of Object.entries(v)) {
        out.push('<member>\n<name>', escapeText(key), '</name>\n');
        dump(item, out, open);
        out.push('</member>\n');
      }
      out.push('</struct></value>\n');
    }
    open.delete(v);
  } else {
    throw new TypeError(`cannot marshal ${typeof v} values`);
  }
}

/** One <value>…</value> element with Python's trailing newline. Throws TypeError on the unencodable. */
export function encodeValue(v: XmlRpcInput): string {
  const out: string[] = [];
  dump(v, out, new Set());
  return out.join('');
}
