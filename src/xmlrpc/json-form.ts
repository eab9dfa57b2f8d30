// The same XML-RPC answer in JSON, for our own ctl. A client that sends `Accept: JSON_FORM` to
// /RPC2 gets the method's value (or fault) as JSON instead of XML; every other client, the stock
// supervisorctl included, sends no such header and gets Python's XML byte for byte. Python
// supervisord ignores the header and answers XML, so the ctl reads whichever form the reply's
// Content-Type names. Why: at 1000 programs getAllProcessInfo is 1.17 MB of XML. The daemon
// (interpreted, --jitless) took ~25 ms to write it and the ctl ~10-25 ms and a garbage collection
// to read it back; as JSON it is 0.32 MB, ~2 ms to write (JSON.stringify is native code) and
// ~2 ms to read. Pure code.
//
// The answer read from JSON is the one the XML would have given (src/xmlrpc/json-form.test.ts
// holds them equal): the XML writer puts U+FFFD for characters XML 1.0 cannot hold, so the reader
// here does too. Numbers: XML-RPC has int and double, JSON one number type, and JavaScript reads
// both XML forms as a number anyway. supervisor's API has no NaN or infinity to lose.

import { XmlRpcParseError, type XmlRpcInput, type XmlRpcResponse, type XmlRpcValue } from './codec.js';
import { xmlChars } from './encode.js';

/** The media type a client asks for (Accept) and a JSON reply is sent as (Content-Type). */
export const JSON_FORM = 'application/vnd.tssupervisor.rpc+json';

const MAX_DEPTH = 64;

/** Whether a request's Accept header asks for the JSON form. */
export function wantsJsonForm(accept: string | string[] | undefined): boolean {
  if (accept === undefined) return false;
  return (Array.isArray(accept) ? accept.join(',') : accept).includes(JSON_FORM);
}

/** A method's value as JSON: `{"value": …}` (an xmlRpcDouble(n) is its toJSON's plain n). */
export function encodeJsonResponse(value: XmlRpcInput): string {
  return JSON.stringify({ value });
}

/** A fault as JSON: `{"fault": {"faultCode": …, "faultString": …}}`. */
export function encodeJsonFault(faultCode: number, faultString: string): string {
  return JSON.stringify({ fault: { faultCode, faultString } });
}

function fail(message: string): never {
  throw new XmlRpcParseError(`JSON reply: ${message}`);
}

/** A parsed JSON value as the XML-RPC value the XML form would have carried. */
function asValue(v: unknown, depth: number): XmlRpcValue {
  if (depth > MAX_DEPTH) fail(`values nested deeper than ${MAX_DEPTH}`);
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'string') return xmlChars(v);
  if (Array.isArray(v)) return v.map((item) => asValue(item, depth + 1));
  const out = Object.create(null) as Record<string, XmlRpcValue>; // as the XML reader's structs: no __proto__ surprises
  for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
    out[xmlChars(key)] = asValue(item, depth + 1);
  }
  return out;
}

/** Reads a JSON reply. Throws XmlRpcParseError when it is not one. */
export function parseJsonResponse(text: string): XmlRpcResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail((error as Error).message);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('not an object');
  if ('value' in parsed) return { ok: true, value: asValue(parsed.value, 1) };
  if ('fault' in parsed) {
    const fault = parsed.fault as { faultCode?: unknown; faultString?: unknown } | null;
    if (typeof fault?.faultCode !== 'number' || typeof fault.faultString !== 'string') fail('a fault has faultCode and faultString');
    return { ok: false, faultCode: fault.faultCode, faultString: asValue(fault.faultString, 1) as string };
  }
  return fail('neither value nor fault');
}
