import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callBody, logQuery, signalBody, waitBody } from './json-routes.js';
import { compileShape } from './schema-check.js';

// Ajv as Fastify set it up before (app.ts): no coercion, unknown fields kept, first error only.
const ajv = new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false });

const verdict = (errors: readonly { instancePath: string; message?: string }[] | null | undefined): string[] =>
  (errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);

function agreeWithAjv(schema: object, value: unknown): void {
  const ours = compileShape(schema);
  const theirs = ajv.compile(schema);
  const ok = theirs(value);
  expect(ours(value)).toBe(ok);
  expect(verdict(ours.errors)).toEqual(verdict(theirs.errors));
}

/** Values near the schemas' edges: the fields they name, with every JSON type and odd strings. */
const field = fc.oneof(
  fc.constantFrom('wait', 'signal', 'params', 'offset', 'length'),
  fc.string({ maxLength: 4 }),
);
const leaf = fc.oneof(
  fc.boolean(), fc.integer(), fc.double({ noNaN: true }), fc.constant(null),
  fc.string({ maxLength: 70, unit: 'grapheme' }), fc.constantFrom('', 'HUP', '-12', '1e400', '007', 'x'.repeat(65)),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(field, tie('value'), { maxKeys: 3 }),
})).value;

describe('schema-check against Ajv', () => {
  for (const [name, schema] of Object.entries({ waitBody, signalBody, callBody, logQuery })) {
    it(`gives Ajv's verdict and words for ${name}, on any JSON value`, () => {
      fc.assert(fc.property(json, (value) => {
        agreeWithAjv(schema, value);
      }), { numRuns: 2_000 });
    });
  }

  it('on the refusals the JSON API documents', () => {
    const cases: [object, unknown][] = [
      [signalBody, { signal: [] }], [signalBody, {}], [signalBody, ['HUP']], [signalBody, { signal: '' }],
      [signalBody, { signal: 1.5 }], [signalBody, { signal: 'x'.repeat(65) }], [waitBody, { wait: 'no' }],
      [waitBody, { wiat: false }], [callBody, { params: { 0: 1 } }], [callBody, { params: new Array(1025).fill(0) }],
      [logQuery, { offset: 'x' }], [logQuery, { length: '1e400' }], [logQuery, { offset: ['1', '2'] }],
    ];
    for (const [schema, value] of cases) agreeWithAjv(schema, value);
  });

  it('refuses, when compiled, a schema using what it does not check', () => {
    expect(() => compileShape({ type: 'object', properties: { a: { type: 'string', format: 'email' } } })).toThrow(/'format' at \/a/u);
    expect(() => compileShape({ type: 'object', additionalProperties: { type: 'string' } })).toThrow(/additionalProperties/u);
    expect(() => compileShape({ anyOf: [{ type: 'number' }] })).toThrow(/not supported|number/u);
  });
});
