// The text of an XML-RPC scalar (<int>, <double>, <base64>) as a value, shared by the general
// reader in codec.ts and the canonical-form decoder in canonical-response.ts so both accept and
// refuse exactly the same text.

import { Buffer } from 'node:buffer';
import { XmlRpcParseError } from './xml-reader.js';

function fail(message: string): never {
  throw new XmlRpcParseError(message);
}

export function parseInteger(text: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) fail(`bad integer value "${text.slice(0, 40)}"`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n)) fail(`integer out of range "${text.slice(0, 40)}"`);
  return n;
}

export function parseDouble(text: string): number {
  const t = text.trim().toLowerCase();
  const special: Record<string, number> = { nan: NaN, inf: Infinity, infinity: Infinity };
  const unsigned = t.replace(/^[+-]/, '');
  const magnitude = special[unsigned];
  if (magnitude !== undefined) return t.startsWith('-') ? -magnitude : magnitude;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/.test(t)) fail(`bad double value "${text.slice(0, 40)}"`);
  return Number(t);
}

const SCALAR_TYPES = new Set(['string', 'dateTime.iso8601', 'int', 'i4', 'i8', 'boolean', 'double', 'base64', 'nil']);

/** Whether `<type>` holds a scalar (text), rather than an <array>, a <struct> or nothing XML-RPC knows. */
export function isScalarType(type: string): boolean {
  return SCALAR_TYPES.has(type);
}

/** The value of a scalar element `<type>text</type>` (`<nil/>` included); undefined when `type` is not a scalar's. */
export function parseScalar(type: string, text: string): string | number | boolean | null | undefined {
  switch (type) {
    case 'string':
    case 'dateTime.iso8601':
      return text;
    case 'int':
    case 'i4':
    case 'i8':
      return parseInteger(text);
    case 'boolean':
      if (text !== '0' && text !== '1') fail(`bad boolean value "${text.slice(0, 40)}"`);
      return text === '1';
    case 'double':
      return parseDouble(text);
    case 'base64':
      return parseBase64(text);
    case 'nil':
      if (text.trim() !== '') fail('<nil/> must be empty');
      return null;
    default:
      return undefined;
  }
}

export function parseBase64(text: string): string {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) fail('bad base64 value');
  return Buffer.from(compact, 'base64').toString('utf8');
}
