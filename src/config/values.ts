// One converter per kind of value, with supervisord's accepted spellings (supervisor/datatypes.py).
// A converter throws ValueProblem with a message written for the operator; parse.ts catches it and
// records a ConfigIssue naming file, line, section and key, so every problem is reported at once.

import { PY_SPACE, pyStrip } from './python-text.js';
import type { AutoRestart, LogLevel } from './schema.js';
import { shlexTokens } from './shlex.js';
import { ValueProblem } from './value-problem.js';

export { ValueProblem };

// Python int(): Python's whitespace (not U+FEFF) around, and any Unicode decimal digit (`٣` is 3).
const INT_RE = new RegExp(`^${PY_SPACE}*[+-]?\\p{Nd}+(?:_\\p{Nd}+)*${PY_SPACE}*$`, 'u');
const DIGIT_RE = /\p{Nd}/u;
const DIGITS_RE = /\p{Nd}/gu;
/** Python 3.11 refuses to convert more digits than this (sys.get_int_max_str_digits()). */
const MAX_INT_DIGITS = 4300;

/** The value of a Unicode decimal digit: they come in runs of ten, 0 to 9, so count from its run's start. */
function digitValue(c: string): number {
  const cp = c.codePointAt(0) ?? 0;
  let start = cp;
  while (DIGIT_RE.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** Python int(): optional sign, digits, underscores between digits, surrounding whitespace. */
export function integer(text: string): number {
  if (!INT_RE.test(text)) throw new ValueProblem('not an integer');
  const digits = Array.from(text.matchAll(DIGITS_RE), (m) => m[0]);
  if (digits.length > MAX_INT_DIGITS) {
    throw new ValueProblem(`too many digits (${digits.length}; Python's int() takes at most ${MAX_INT_DIGITS})`);
  }
  const ascii = digits.map((c) => (c >= '0' && c <= '9' ? c : String(digitValue(c)))).join('');
  const n = Number.parseInt(ascii, 10);
  return text.includes('-') ? -n : n;
}

const TRUTHY = new Set(['yes', 'true', 'on', '1']);
const FALSY = new Set(['no', 'false', 'off', '0']);

export function boolean(text: string): boolean {
  const lower = text.toLowerCase();
  if (TRUTHY.has(lower)) return true;
  if (FALSY.has(lower)) return false;
  throw new ValueProblem('not a boolean (use true/false, yes/no, on/off or 1/0)');
}

const SIZE_SUFFIXES: Readonly<Record<string, number>> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `10MB` -> 10485760; suffixes KB/MB/GB (1024-based, any case) or a plain number of bytes. */
export function byteSize(text: string): number {
  const lower = text.toLowerCase();
  const multiplier = SIZE_SUFFIXES[lower.slice(-2)];
  const digits = multiplier === undefined ? lower : lower.slice(0, -2);
  if (!INT_RE.test(digits)) throw new ValueProblem('not a byte size (e.g. 1024, 500KB, 50MB, 1GB)');
  return integer(digits) * (multiplier ?? 1);
}

/** Python int(v, 8): `022`, `0o22`, `22`. */
export function octal(text: string): number {
  // Python's int(v, 8) takes any Unicode decimal digit too (`٠٢٢` is 022).
  const t = pyStrip(text).replace(/^([+-]?)0o/iu, '$1').replaceAll('_', '').replace(DIGITS_RE, (c) => String(digitValue(c)));
  if (!/^[+-]?[0-7]+$/u.test(t)) throw new ValueProblem('not an octal number (e.g. 022)');
  return Number.parseInt(t, 8);
}

/** Every name Python's signal module exposes, with its Linux number (supervisor's SIGNUMS). */
export const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10,
  SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CLD: 17, CONT: 18,
  STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27,
  WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31, RTMIN: 34, RTMAX: 64,
};

/** Canonical name (no SIG prefix) for a signal number, preferring the common alias. */
export function signalName(num: number): string | undefined {
  const preferred = ['ABRT', 'CHLD', 'IO'];
  const names = Object.keys(SIGNALS).filter((n) => SIGNALS[n] === num);
  return names.find((n) => preferred.includes(n)) ?? names[0];
}

/** `TERM`, `SIGTERM`, `sigterm` or `15` -> `TERM`. */
export function signal(text: string): string {
  if (INT_RE.test(text)) {
    const name = signalName(integer(text));
    if (name === undefined) throw new ValueProblem('not a valid signal number');
    return name;
  }
  const upper = pyStrip(text).toUpperCase();
  const name = upper.startsWith('SIG') ? upper.slice(3) : upper;
  if (SIGNALS[name] === undefined) throw new ValueProblem('not a valid signal name (e.g. TERM, SIGINT, HUP, 9)');
  return name;
}

export function exitCodes(text: string): number[] {
  if (text === '') return [];
  const codes = text.split(',').map((part) => (INT_RE.test(part) ? integer(part) : Number.NaN));
  if (codes.some((c) => !(c >= 0 && c <= 255))) {
    throw new ValueProblem('not a list of exit codes (comma-separated integers 0-255)');
  }
  return codes;
}

export function autorestart(text: string): AutoRestart {
  const lower = text.toLowerCase();
  if (TRUTHY.has(lower)) return 'true';
  if (FALSY.has(lower)) return 'false';
  if (lower === 'unexpected') return 'unexpected';
  throw new ValueProblem('not a valid autorestart value (true, false or unexpected)');
}

const LEVELS: readonly LogLevel[] = ['critical', 'error', 'warn', 'info', 'debug', 'trace', 'blather'];

export function logLevel(text: string): LogLevel {
  const lower = text.toLowerCase();
  const level = LEVELS.find((l) => l === lower);
  if (level === undefined) throw new ValueProblem(`not a log level (${LEVELS.join(', ')})`);
  return level;
}

/** A process or group name: no space, colon or slash (they break namespecs and URLs). */
export function processName(text: string): string {
  const name = pyStrip(text);
  for (const bad of [' ', ':', '/']) {
    if (name.includes(bad)) throw new ValueProblem(`not a valid name: it contains ${JSON.stringify(bad)}`);
  }
  return name;
}

export function listOfStrings(text: string): string[] {
  return text === '' ? [] : text.split(',').map((s) => pyStrip(s));
}

/**
 * `KEY="val",KEY2=val2` as supervisord 4.2.5 reads it: non-POSIX shlex tokens taken three at a
 * time (KEY = VALUE), the separator after each triple skipped, quotes stripped from the value.
 */
export function environment(text: string): Record<string, string> {
  const tokens = shlexTokens(text);
  const env: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i += 4) {
    const [key, eq, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (key === undefined || eq !== '=' || value === undefined) {
      throw new ValueProblem('not a list of KEY=value pairs (quote values that contain spaces or commas)');
    }
    env[key] = value.replace(/^['"]+|['"]+$/gu, '');
  }
  return env;
}

/** `host:port`, `:port`, `*:port` or `port`; host '' means every interface. */
export function inetAddress(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const host = colon === -1 ? '' : text.slice(0, colon).toLowerCase();
  const portText = colon === -1 ? text : text.slice(colon + 1);
  if (!INT_RE.test(portText)) throw new ValueProblem('not a valid port (use host:port, :port or port)');
  const port = integer(portText);
  if (port < 1 || port > 65535) throw new ValueProblem('port out of range 1-65535');
  return { host: host === '*' ? '' : host, port };
}
