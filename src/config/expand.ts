// supervisord expands every option value with Python's `value % expansions` (options.py expand()):
// `%(here)s`, `%(ENV_HOME)s`, `%(process_num)02d`, `%%`. This is that operator for a mapping, with
// the conversions a config can meaningfully use (s, d, i, u, x, X, o, f, F).

import { ValueProblem } from './value-problem.js';

export type Expansions = Readonly<Record<string, string | number>>;

const SPEC_RE = /%(?:\((?<key>[^)]*)\))?(?<flags>[#0\- +]*)(?<width>\d*)(?:\.(?<precision>\d*))?[hlL]?(?<conv>.?)/gsu;

// Python pads to any width it can allocate: `%(process_num)999999999d` makes supervisord build a
// gigabyte and stall, and made us throw RangeError (past V8's longest string). A megabyte is far
// beyond any real name or path, so more is a config error instead.
const MAX_FIELD = 1_000_000;
// Number.prototype.toFixed takes 0-100 digits.
const MAX_FLOAT_PRECISION = 100;

function fieldSize(text: string | undefined, what: string): number {
  const n = Number(text ?? '0');
  if (n > MAX_FIELD) throw new ValueProblem(`${what} ${text ?? ''} is too large (at most ${MAX_FIELD})`);
  return n;
}

function pad(body: string, flags: string, width: number, numeric: boolean): string {
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width);
  if (numeric && flags.includes('0')) {
    const sign = /^[+\- ]/u.test(body) ? body.charAt(0) : '';
    return sign + body.slice(sign.length).padStart(width - sign.length, '0');
  }
  return body.padStart(width);
}

/** Python repr() of a str (`ascii` also escapes every non-ASCII character, as ascii() does). */
function pyRepr(text: string, ascii: boolean): string {
  const q = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const c of text) {
    const cp = c.codePointAt(0) ?? 0;
    const named: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    if (named[c] !== undefined) out += named[c];
    else if (c === q) out += `\\${q}`;
    else if (cp < 0x20 || cp === 0x7f || (cp > 0x7f && (ascii || (c !== ' ' && /[\p{C}\p{Z}]/u.test(c))))) {
      out += cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += c;
  }
  return q + out + q;
}

function toNumber(value: string | number, conv: string): number {
  if (typeof value === 'number') return value;
  throw new ValueProblem(`%${conv} needs a number, but the value is text: ${JSON.stringify(value)}`);
}

function convert(value: string | number, conv: string, flags: string, precision: string | undefined): string {
  const sign = (n: number): string => (n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '');
  switch (conv) {
    case 's': case 'r': case 'a': {
      const text = conv === 's' || typeof value === 'number' ? String(value) : pyRepr(value, conv === 'a');
      return precision === undefined ? text : text.slice(0, Number(precision || '0'));
    }
    case 'd': case 'i': case 'u': {
      const n = Math.trunc(toNumber(value, conv));
      const digits = String(Math.abs(n)).padStart(fieldSize(precision, 'precision'), '0');
      return sign(n) + digits;
    }
    case 'x': case 'X': case 'o': {
      const n = Math.trunc(toNumber(value, conv));
      let digits = Math.abs(n).toString(conv === 'o' ? 8 : 16);
      if (conv === 'X') digits = digits.toUpperCase();
      const prefix = flags.includes('#') ? `0${conv}` : '';
      return sign(n) + prefix + digits;
    }
    case 'f': case 'F': {
      const n = toNumber(value, conv);
      const digits = fieldSize(precision ?? '6', 'precision');
      // toFixed stops at 100 digits; past that only a whole number (all numbers here are) is exact.
      if (digits > MAX_FLOAT_PRECISION && !Number.isInteger(n)) {
        throw new ValueProblem(`precision ${digits} is too large for %${conv} of a fraction (at most ${MAX_FLOAT_PRECISION})`);
      }
      const fixed = digits > MAX_FLOAT_PRECISION ? `${String(Math.abs(n))}.${'0'.repeat(digits)}` : Math.abs(n).toFixed(digits);
      return sign(n) + fixed;
    }
    default:
      throw new ValueProblem(`unsupported conversion '%${conv}' (use %(name)s or %(name)d; write %% for a literal %)`);
  }
}

/**
 * Expands `text` with Python %-format semantics; throws ValueProblem with an operator's message.
 * `expansions` may be layers, later ones winning, so callers need not copy the environment into
 * a new object for every value.
 */
export function expand(text: string, expansions: Expansions | readonly Expansions[]): string {
  const layers: readonly Expansions[] = Array.isArray(expansions) ? expansions : [expansions as Expansions];
  const lookup = (key: string): string | number | undefined => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i];
      if (layer !== undefined && Object.hasOwn(layer, key)) return layer[key];
    }
    return undefined;
  };
  return text.replace(SPEC_RE, (...args: unknown[]) => {
    const groups = args[args.length - 1] as Record<string, string | undefined>;
    const conv = groups['conv'] ?? '';
    const key = groups['key'];
    if (conv === '%' && key === undefined) return '%';
    if (conv === '') throw new ValueProblem("a lone '%' at the end (write %% for a literal %)");
    if (key === undefined) {
      throw new ValueProblem(`'%${conv}' has no (name): use %(name)${conv}, or write %% for a literal %`);
    }
    const value = lookup(key);
    if (value === undefined) {
      const names = [...new Set(layers.flatMap((l) => Object.keys(l)))].filter((k) => !k.startsWith('ENV_')).sort();
      throw new ValueProblem(
        `unknown expansion %(${key})${conv}: available are ${names.join(', ')} and ENV_<NAME> for each environment variable`,
      );
    }
    const flags = groups['flags'] ?? '';
    const body = convert(value, conv, flags, groups['precision']);
    return pad(body, flags, fieldSize(groups['width'], 'field width'), !'sra'.includes(conv));
  });
}
