// Property tests of the XML-RPC decoders on hostile input: arbitrary text, and valid calls and
// responses made by the encoder, then mutated (truncated, tags duplicated, removed or renamed, huge
// numbers, odd unicode, entity references, deep nesting). Whatever comes in, parseMethodCall and
// parseMethodResponse return a value or throw one of their own XmlRpcParseErrors (which the server
// answers with a 400 fault) — never another exception, not even one wrapped, and never slowly. FUZZ_RUNS (default 10000, shared with the
// other property tests) sets the size; this file takes 70% of it. The canonical fast path of
// parseMethodResponse must give the element-tree reader's answer whenever it gives one.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCanonicalResponse } from './canonical-response.js';
import { encodeFault, encodeMethodCall, encodeMethodResponse, parseMethodCall, parseMethodResponse, readResponseTree, XmlRpcParseError, type XmlRpcInput } from './codec.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 10_000);
const runs = (share: number): number => Math.max(1, Math.round(RUNS * share));
/** Per-test time limit, growing with FUZZ_RUNS (a case takes well under 1 ms; 5 ms is slack for a busy machine). */
const TIMEOUT_MS = Math.max(30_000, RUNS * 5);

/** Longest a single decode may take: the inputs stay under ~200 kB, and the reader is linear. */
const SLOW_MS = 500;

/** Decodes `xml`; fails the property on any exception other than XmlRpcParseError, or a slow decode. */
function decodesOrRefuses(decode: (xml: string) => unknown, xml: string): void {
  const started = performance.now();
  try {
    decode(xml);
  } catch (error) {
    if (!(error instanceof XmlRpcParseError)) throw new Error(`threw ${String(error)} for ${JSON.stringify(xml.slice(0, 300))}`, { cause: error });
    // guarded() turns an internal exception (a bug: a TypeError, a stack overflow) into a parse
    // error with a cause; the decoder's own refusals have none.
    if (error.cause !== undefined) throw new Error(`internal ${(error.cause as Error).stack ?? ""} for ${JSON.stringify(xml.slice(0, 300))}`, { cause: error });
    expect(error.message.length).toBeGreaterThan(0);
  }
  const took = performance.now() - started;
  if (took > SLOW_MS) throw new Error(`took ${Math.round(took)} ms for ${xml.length} chars: ${JSON.stringify(xml.slice(0, 200))}`);
}

const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\uFFFE', '\uFFFF', '\uFEFF', '\u202E', '\r\n', '\r', '&', '<', ']]>', '&#0;', '&#x110000;', '&#xD800;', '&bogus;', '&amp', '&#99999999;', '\u{10FFFF}', '\u0301'),
);

const hugeNumber = fc.oneof(
  fc.bigInt({ min: -(10n ** 400n), max: 10n ** 400n }).map(String),
  fc.constantFrom('9007199254740993', '-0', '+1', '1e400', '-1e-400', 'NaN', 'inf', '0x10', '1_000', '١٢٣', ' 1 ', ''),
);

const value: fc.Arbitrary<XmlRpcInput> = fc.letrec<{ v: XmlRpcInput }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 10 }), tie('v'), { maxKeys: 4 }),
  ),
})).v;

const TAGS = ['methodCall', 'methodName', 'params', 'param', 'value', 'string', 'int', 'i4', 'i8', 'boolean', 'double', 'base64', 'nil', 'array', 'data', 'struct', 'member', 'name', 'dateTime.iso8601', 'fault', 'methodResponse', 'bogus'];
const tagOf = fc.constantFrom(...TAGS);

type Mutation = (xml: string) => string;

/** Positions of every tag (`<...>`) in `xml`. */
function tagSpans(xml: string): [number, number][] {
  return [...xml.matchAll(/<[^<>]*>/gu)].map((m) => [m.index, m.index + m[0].length]);
}

const pick = <T>(items: readonly T[], at: number): T | undefined => items[Math.floor(at * items.length) % Math.max(1, items.length)];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Truncate anywhere.
  fc.double({ min: 0, max: 1, noNaN: true }).map((at): Mutation => (xml) => xml.slice(0, Math.floor(at * xml.length))),
  // Duplicate or remove one tag.
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()).map(([at, duplicate]): Mutation => (xml) => {
    const span = pick(tagSpans(xml), at);
    if (span === undefined) return xml;
    const tag = xml.slice(span[0], span[1]);
    return xml.slice(0, span[0]) + (duplicate ? tag + tag : '') + xml.slice(span[1]);
  }),
  // Rename one tag (a wrong type: <int> holding a string, </value> closed as </data>...).
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), tagOf).map(([at, name]): Mutation => (xml) => {
    const span = pick(tagSpans(xml), at);
    if (span === undefined) return xml;
    const tag = xml.slice(span[0], span[1]);
    return xml.slice(0, span[0]) + tag.replace(/^<(\/?)[^\s/>]*/u, `<$1${name}`) + xml.slice(span[1]);
  }),
  // A typed value with a huge, odd or empty number, or odd text.
  fc.tuple(fc.constantFrom('int', 'i4', 'i8', 'double', 'boolean', 'base64', 'string', 'nil', 'dateTime.iso8601'), fc.oneof(hugeNumber, oddText), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([type, text, at]): Mutation => (xml) => {
      const span = pick(tagSpans(xml), at);
      const where = span?.[1] ?? 0;
      return `${xml.slice(0, where)}<value><${type}>${text}</${type}></value>${xml.slice(where)}`;
    }),
  // Odd unicode or markup spliced in anywhere.
  fc.tuple(fc.oneof(oddText, fc.constantFrom('<!DOCTYPE x>', '<!ENTITY e "x">', '<![CDATA[x]]>', '<!-- c -->', '<?pi x?>', '<?xml version="1.0"?>', '<a b="<">', '</>', '<>', '<value/>')), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([text, at]): Mutation => (xml) => {
      const where = Math.floor(at * xml.length);
      return xml.slice(0, where) + text + xml.slice(where);
    }),
  // Deep nesting around the first value: arrays, structs, or bare elements, up to well past the limits.
  fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('array', 'struct', 'element')).map(([depth, kind]): Mutation => (xml) => {
    const open = kind === 'array' ? '<value><array><data>' : kind === 'struct' ? '<value><struct><member><name>k</name>' : '<x>';
    const close = kind === 'array' ? '</data></array></value>' : kind === 'struct' ? '</member></struct></value>' : '</x>';
    const inner = '<value><int>1</int></value>';
    const nested = open.repeat(depth) + inner + close.repeat(depth);
    return xml.includes('<value>') ? xml.replace(/<value>/u, `${nested}<value>`) : nested + xml;
  }),
);

const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });
const apply = (xml: string, steps: readonly Mutation[]): string => steps.reduce((text, step) => step(text), xml);

describe('the XML-RPC decoders on hostile input', () => {
  it('parseMethodCall: arbitrary text and tag soup give a value or an XmlRpcParseError', () => {
    const soup = fc.array(fc.oneof(oddText, tagOf.map((t) => `<${t}>`), tagOf.map((t) => `</${t}>`), tagOf.map((t) => `<${t}/>`)), { maxLength: 60 }).map((parts) => parts.join(''));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), soup), (text) => {
      decodesOrRefuses(parseMethodCall, text);
      decodesOrRefuses(parseMethodCall, `<?xml version='1.0'?>\n<methodCall>${text}</methodCall>`);
    }), { numRuns: runs(0.15) });
  }, TIMEOUT_MS);

  it('parseMethodCall: mutated calls made by the encoder give a value or an XmlRpcParseError', () => {
    const name = fc.oneof(fc.constantFrom('supervisor.getState', 'supervisor.startProcess', 'system.multicall'), fc.string({ unit: 'binary', maxLength: 20 }));
    fc.assert(fc.property(name, fc.array(value, { maxLength: 4 }), mutations, (method, params, steps) => {
      decodesOrRefuses(parseMethodCall, apply(encodeMethodCall(method, params), steps));
    }), { numRuns: runs(0.35) });
  }, TIMEOUT_MS);

  it('parseMethodCall: the encoder\'s calls, unmutated, always decode', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''), fc.array(value, { maxLength: 4 }), (method, params) => {
      const call = parseMethodCall(encodeMethodCall(method, params));
      expect(call.params).toHaveLength(params.length);
    }), { numRuns: runs(0.02) });
  }, TIMEOUT_MS);

  it('parseMethodResponse: mutated responses and faults give a value, a fault or an XmlRpcParseError', () => {
    const response = fc.oneof(value.map((v) => encodeMethodResponse(v)), fc.tuple(fc.integer(), fc.string({ unit: 'binary', maxLength: 30 })).map(([code, text]) => encodeFault(code, text)));
    fc.assert(fc.property(response, mutations, (xml, steps) => {
      decodesOrRefuses(parseMethodResponse, apply(xml, steps));
    }), { numRuns: runs(0.08) });
  }, TIMEOUT_MS);
  it('the canonical fast path reads every response the encoder writes, as the element tree does', () => {
    // Strings of markup characters too: random code units are seldom `&`, `<` or CR.
    const markupText = fc.string({ unit: fc.constantFrom('a', '&', '<', '>', '\r', '\n', ' ', ']', ';'), maxLength: 8 });
    const markupValue = fc.oneof(markupText, fc.dictionary(markupText, fc.oneof(markupText, fc.integer(), fc.array(markupText, { maxLength: 2 })), { maxKeys: 4 }));
    const response = fc.oneof(value.map((v) => encodeMethodResponse(v)), markupValue.map((v) => encodeMethodResponse(v)), fc.tuple(fc.integer(), fc.string({ unit: 'binary', maxLength: 30 })).map(([code, text]) => encodeFault(code, text)));
    fc.assert(fc.property(response, (xml) => {
      const fast = readCanonicalResponse(xml, 64);
      expect(fast).toBeDefined();
      expect(fast).toStrictEqual(readResponseTree(xml));
    }), { numRuns: runs(0.05) });
  }, TIMEOUT_MS);

  it('on mutated responses the canonical fast path answers as the element tree does, or leaves it to it', () => {
    const response = fc.oneof(value.map((v) => encodeMethodResponse(v)), fc.tuple(fc.integer(), fc.string({ unit: 'binary', maxLength: 30 })).map(([code, text]) => encodeFault(code, text)));
    fc.assert(fc.property(response, mutations, (xml, steps) => {
      const mutated = apply(xml, steps);
      const fast = readCanonicalResponse(mutated, 64);
      if (fast === undefined) return;
      expect(fast).toStrictEqual(readResponseTree(mutated));
    }), { numRuns: runs(0.05) });
  }, TIMEOUT_MS);
});
