// The JSON form must give the ctl exactly the answer the XML would have: for any value and any
// fault the server could send, reading the JSON equals reading the XML (the XML writer's U+FFFD
// for characters XML cannot hold included). Numbers are finite and not -0: supervisor's API has
// no others, and JSON cannot carry NaN or infinity.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFault, encodeMethodResponse, parseMethodResponse, xmlRpcDouble, XmlRpcParseError, type XmlRpcInput } from './codec.js';
import { encodeJsonFault, encodeJsonResponse, JSON_FORM, parseJsonResponse, wantsJsonForm } from './json-form.js';

const RUNS = Math.max(100, Math.round(Number(process.env['FUZZ_RUNS'] ?? 10_000) * 0.1));

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('\u0000', '\u001b[31mred', '\uD800', '\uDFFF', '\uFFFE', '\uFFFF', '\r\n', '\r', '&amp;', '<x>', ']]>', '__proto__', 'constructor'),
);

const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0));

const value: fc.Arbitrary<XmlRpcInput> = fc.letrec<{ v: XmlRpcInput }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    finite,
    finite.map(xmlRpcDouble),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(text, tie('v'), { maxKeys: 4 }),
  ),
})).v;

describe('the JSON form of an XML-RPC answer', () => {
  it('reads back as the XML form reads back, for any value', () => {
    fc.assert(fc.property(value, (v) => {
      expect(parseJsonResponse(encodeJsonResponse(v))).toEqual(parseMethodResponse(encodeMethodResponse(v)));
    }), { numRuns: RUNS });
  });

  it('reads back as the XML form reads back, for any fault', () => {
    fc.assert(fc.property(fc.integer(), text, (code, message) => {
      expect(parseJsonResponse(encodeJsonFault(code, message))).toEqual(parseMethodResponse(encodeFault(code, message)));
    }), { numRuns: RUNS });
  });

  it('keeps a double a number, and a string with a character XML cannot hold as the XML gives it', () => {
    expect(parseJsonResponse(encodeJsonResponse([xmlRpcDouble(2), 'a\u0000b']))).toEqual({ ok: true, value: [2, 'a\uFFFDb'] });
  });

  it('refuses what is not a reply, with the parse error the server and ctl already handle', () => {
    for (const bad of ['', '{', '[1]', 'null', '{"other":1}', '{"fault":{"faultCode":"1","faultString":"x"}}', '{"fault":null}', `${'['.repeat(100)}${']'.repeat(100)}`.replace(/^/u, '{"value":').concat('}')]) {
      expect(() => parseJsonResponse(bad), bad).toThrow(XmlRpcParseError);
    }
  });

  it('is asked for by naming its media type in Accept, alone or among others', () => {
    expect(wantsJsonForm(undefined)).toBe(false);
    expect(wantsJsonForm('text/xml')).toBe(false);
    expect(wantsJsonForm('application/json')).toBe(false);
    expect(wantsJsonForm(`${JSON_FORM}, text/xml`)).toBe(true);
    expect(wantsJsonForm(['text/xml', JSON_FORM])).toBe(true);
  });
});
