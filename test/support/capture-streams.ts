// Random child output for capture-mode tests: plain text, whole XSUPERVISOR tokens and fragments
// of them (the hard cases: a token split across reads, a '<' that may begin one), and where the
// pipe reads cut it.
import fc from 'fast-check';
import { BEGIN_TOKEN, END_TOKEN } from '../../src/logging/capture-mode.js';

const BEGIN = BEGIN_TOKEN.toString();
const END = END_TOKEN.toString();

const piece = fc.oneof(
  { arbitrary: fc.constantFrom(BEGIN, END), weight: 3 },
  { arbitrary: fc.constantFrom('<', '<!--X', BEGIN.slice(0, -1), END.slice(0, -1), '\n'), weight: 2 },
  { arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', '<', '-', '!', ' '), maxLength: 40 }), weight: 3 },
);

/** A stream and the offsets (1 … length-1, unordered) where reads end. */
export const streamAndCuts: fc.Arbitrary<[string, number[]]> = fc.array(piece, { maxLength: 30, size: 'medium' }).chain((pieces) => {
  const stream = pieces.join('');
  return fc.tuple(fc.constant(stream), fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, stream.length - 1) }), { maxLength: 12 }));
});

/** The reads: `stream` cut at `cuts`. */
export function cut(stream: string, cuts: readonly number[]): string[] {
  const at = [0, ...[...cuts].filter((c) => c < stream.length).sort((x, y) => x - y), stream.length];
  return at.slice(1).map((end, i) => stream.slice(at[i], end));
}
