// `ready=` (a tssupervisor extension; supervisord ignores the key): the probe that says when a
// process counts as started. Pure: text in, a ReadySpec or a ValueProblem out.

import type { ReadySpec } from './schema.js';
import { shlexSplit } from './shlex.js';
import { ValueProblem } from './value-problem.js';

const FORMS = 'tcp:HOST:PORT, http://HOST:PORT/PATH, https://..., exec:COMMAND, notify or log:REGEX';

function port(text: string): number {
  if (!/^\d{1,5}$/u.test(text)) throw new ValueProblem(`port '${text}' is not a number`);
  const n = Number(text);
  if (n < 1 || n > 65535) throw new ValueProblem(`port ${n} out of range 1-65535`);
  return n;
}

function tcp(rest: string): ReadySpec {
  // tcp:[::1]:6380 for IPv6, tcp:127.0.0.1:6380 or tcp:localhost:6380 otherwise.
  const m = /^(?:\[(?<v6>[^\]]+)\]|(?<host>[^:\s]+)):(?<port>[^:]*)$/u.exec(rest);
  const host = m?.groups?.['v6'] ?? m?.groups?.['host'];
  if (m === null || host === undefined) throw new ValueProblem(`'tcp:${rest}' is not tcp:HOST:PORT`);
  return { kind: 'tcp', host, port: port(m.groups?.['port'] ?? '') };
}

function http(text: string): ReadySpec {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValueProblem(`'${text}' is not a URL`);
  }
  if (url.hostname === '') throw new ValueProblem(`'${text}' has no host`);
  return { kind: 'http', url: text };
}

function exec(command: string): ReadySpec {
  let words: string[];
  try {
    words = shlexSplit(command);
  } catch (error) {
    throw new ValueProblem(`exec: command ${error instanceof Error ? error.message : String(error)}`);
  }
  if (words.length === 0) throw new ValueProblem('exec: needs a command');
  return { kind: 'exec', command };
}

function log(pattern: string): ReadySpec {
  if (pattern === '') throw new ValueProblem('log: needs a regular expression');
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    throw new ValueProblem(`log: not a regular expression: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { kind: 'log', pattern };
}

export function readySpec(text: string): ReadySpec {
  const value = text.trim();
  if (value === 'notify') return { kind: 'notify' };
  if (value.startsWith('tcp:')) return tcp(value.slice(4));
  if (value.startsWith('http://') || value.startsWith('https://')) return http(value);
  if (value.startsWith('exec:')) return exec(value.slice(5).trim());
  // The pattern is kept as written after `log:`, spaces included.
  if (text.trimStart().startsWith('log:')) return log(text.trimStart().slice(4));
  throw new ValueProblem(`unknown probe '${value}' (one of ${FORMS})`);
}

/** A whole number, at least 1; `unit` ('second') names it in the messages, none for a count. */
export function atLeastOne(unit?: string): (text: string) => number {
  return (text) => {
    if (!/^\s*\d+\s*$/u.test(text)) throw new ValueProblem(`not a whole number${unit === undefined ? '' : ` of ${unit}s`}`);
    const n = Number(text);
    if (n < 1) throw new ValueProblem(`must be at least 1${unit === undefined ? '' : ` ${unit}`}`);
    return n;
  };
}

/** ready_timeout: whole seconds, at least 1. */
export const readyTimeout = atLeastOne('second');

/** A ready= probe as written: `tcp:HOST:PORT`, the URL, `exec:COMMAND`, `notify`, `log:PATTERN`. */
export function describeReady(spec: ReadySpec): string {
  switch (spec.kind) {
    case 'tcp':
      return `tcp:${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
    case 'http':
      return spec.url;
    case 'exec':
      return `exec:${spec.command}`;
    case 'notify':
      return 'notify';
    case 'log':
      return `log:${spec.pattern}`;
  }
}
