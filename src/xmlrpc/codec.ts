// supervisord's XML-RPC wire format, as pure code: reading method calls and responses (what
// Python's xmlrpc.client and supervisord send) and writing them byte for byte the way Python's
// xmlrpc.client.dumps does. Deviations from Python's bytes, both only for strings Python
// would garble: characters XML 1.0 forbids (control characters other than TAB, LF, CR; lone
// surrogates; U+FFFE/U+FFFF) are written as U+FFFD instead of making the document invalid, and
// CR is written as &#13; so that it survives the receiver's line-end normalisation.

import { readXml, XmlRpcParseError, type XmlElement } from './xml-reader.js';
import { encodeValue, escapeText, type XmlRpcInput } from './encode.js';
import { isScalarType, parseScalar } from './scalars.js';
import { readCanonicalResponse } from './canonical-response.js';

export { XmlRpcParseError } from './xml-reader.js';
export { xmlRpcDouble, XMLRPC_DOUBLE, type XmlRpcDouble, type XmlRpcInput } from './encode.js';

export type XmlRpcValue = string | number | boolean | null | XmlRpcValue[] | { readonly [key: string]: XmlRpcValue };

export type XmlRpcResponse = { ok: true; value: XmlRpcValue } | { ok: false; faultCode: number; faultString: string };

/** Bounds on nesting: elements in the document, and arrays/structs within one value. */
const MAX_ELEMENT_DEPTH = 256;
const MAX_VALUE_DEPTH = 64;
const HEADER = "<?xml version='1.0'?>\n";

function fail(message: string): never {
  throw new XmlRpcParseError(message);
}

/** Anything other than an XmlRpcParseError escaping a parse is a bug; it still surfaces as one. */
function guarded<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof XmlRpcParseError) throw err;
    throw new XmlRpcParseError(`malformed XML-RPC: ${String(err)}`, { cause: err });
  }
}

function expectName(el: XmlElement | undefined, name: string, context: string): XmlElement {
  if (el?.name !== name) fail(`expected <${name}> in ${context}, found ${el ? `<${el.name}>` : 'nothing'}`);
  return el;
}

/** The child elements of a structural element, which may hold only whitespace besides them. */
function elementsOf(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of el.children) {
    if (typeof child !== 'string') out.push(child);
    else if (child.trim() !== '') fail(`unexpected text in <${el.name}>`);
  }
  return out;
}

/** The exact text of an element that may hold nothing but text. */
function textOf(el: XmlElement): string {
  let text = '';
  for (const child of el.children) {
    if (typeof child !== 'string') fail(`unexpected <${child.name}> in <${el.name}>`);
    text += child;
  }
  return text;
}

function parseValue(el: XmlElement, depth: number): XmlRpcValue {
  if (depth > MAX_VALUE_DEPTH) fail(`values nested deeper than ${MAX_VALUE_DEPTH}`);
  const typed = el.children.filter((c) => typeof c !== 'string');
  if (typed.length === 0) return textOf(el); // <value>text</value> is a string
  const [inner] = elementsOf(el);
  if (typed.length > 1 || inner === undefined) fail('a <value> holds exactly one typed value');
  if (isScalarType(inner.name)) return parseScalar(inner.name, textOf(inner)) as XmlRpcValue;
  switch (inner.name) {
    case 'array': {
      const data = elementsOf(inner);
      const only = expectName(data[0], 'data', '<array>');
      if (data.length > 1) fail('<array> holds exactly one <data>');
      return elementsOf(only).map((v) => parseValue(expectName(v, 'value', '<data>'), depth + 1));
    }
    case 'struct': {
      const struct = Object.create(null) as Record<string, XmlRpcValue>; // no __proto__ surprises
      for (const member of elementsOf(inner)) {
        const parts = elementsOf(expectName(member, 'member', '<struct>'));
        const name = expectName(parts[0], 'name', '<member>');
        const value = expectName(parts[1], 'value', '<member>');
        if (parts.length > 2) fail('<member> holds one <name> and one <value>');
        struct[textOf(name)] = parseValue(value, depth + 1);
      }
      return struct;
    }
    default:
      return fail(`unknown value type <${inner.name}>`);
  }
}

function parseParams(el: XmlElement): XmlRpcValue[] {
  return elementsOf(el).map((param) => {
    const values = elementsOf(expectName(param, 'param', '<params>'));
    if (values.length !== 1) fail('a <param> holds exactly one <value>');
    return parseValue(expectName(values[0], 'value', '<param>'), 1);
  });
}

/** Reads a request body. Throws XmlRpcParseError on anything malformed, unknown or refused. */
export function parseMethodCall(xml: string): { methodName: string; params: XmlRpcValue[] } {
  return guarded(() => {
    const root = expectName(readXml(xml, MAX_ELEMENT_DEPTH), 'methodCall', 'the document');
    const [nameEl, paramsEl, ...rest] = elementsOf(root);
    if (nameEl?.name !== 'methodName') fail('methodCall has no methodName');
    const methodName = textOf(nameEl);
    if (methodName === '') fail('methodCall has an empty methodName');
    if (rest.length > 0) fail(`unexpected <${rest[0]?.name ?? ''}> in <methodCall>`);
    const params = paramsEl === undefined ? [] : parseParams(expectName(paramsEl, 'params', '<methodCall>'));
    return { methodName, params };
  });
}

/** Reads a response body: one value, or a fault. Throws XmlRpcParseError when malformed. */
export function parseMethodResponse(xml: string): XmlRpcResponse {
  return readCanonicalResponse(xml, MAX_VALUE_DEPTH) ?? readResponseTree(xml);
}

/** parseMethodResponse by way of the element tree, for any document: exported so a test can hold
 *  the canonical fast path to the same answers. */
export function readResponseTree(xml: string): XmlRpcResponse {
  return guarded((): XmlRpcResponse => {
    const root = expectName(readXml(xml, MAX_ELEMENT_DEPTH), 'methodResponse', 'the document');
    const parts = elementsOf(root);
    const body = parts[0];
    if (parts.length !== 1 || body === undefined) fail('<methodResponse> holds one <params> or <fault>');
    if (body.name === 'params') {
      const params = parseParams(body);
      if (params.length !== 1) fail(`a response holds exactly one param, found ${params.length}`);
      return { ok: true, value: params[0] ?? null };
    }
    const values = elementsOf(expectName(body, 'fault', '<methodResponse>'));
    if (values.length !== 1) fail('a <fault> holds exactly one <value>');
    const fault = parseValue(expectName(values[0], 'value', '<fault>'), 1);
    if (fault === null || typeof fault !== 'object' || Array.isArray(fault)) fail('a fault is a struct');
    const { faultCode, faultString } = fault;
    if (typeof faultCode !== 'number' || typeof faultString !== 'string') fail('a fault has faultCode and faultString');
    return { ok: false, faultCode, faultString };
  });
}

/** Python's dumps((value,), methodresponse=True). */
export function encodeMethodResponse(value: XmlRpcInput): string {
  return `${HEADER}<methodResponse>\n<params>\n<param>\n${encodeValue(value)}</param>\n</params>\n</methodResponse>\n`;
}

/** Python's dumps(Fault(faultCode, faultString)). */
export function encodeFault(faultCode: number, faultString: string): string {
  return `${HEADER}<methodResponse>\n<fault>\n${encodeValue({ faultCode, faultString })}</fault>\n</methodResponse>\n`;
}

/** Python's dumps(tuple(params), methodName); unlike Python, the method name is escaped. */
export function encodeMethodCall(methodName: string, params: readonly XmlRpcInput[]): string {
  const body = params.map((p) => `<param>\n${encodeValue(p)}</param>\n`).join('');
  return `${HEADER}<methodCall>\n<methodName>${escapeText(methodName)}</methodName>\n<params>\n${body}</params>\n</methodCall>\n`;
}
