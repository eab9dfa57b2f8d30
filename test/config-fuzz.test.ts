// Property: no config text, however broken, makes the reader throw or stall. loadConfig answers
// every input with ok or with config errors that name a file and a line (line 0 only for what
// concerns a whole file), never with an internal error, and within a bounded time.
//
// Inputs: arbitrary text, ini-shaped noise, and grammar-aware mutations of the repo's configs and
// the parity configs (test/support/config-mutations.ts). FUZZ_RUNS (default 10,000) is the total;
// `npm run fuzz` runs 100,000 with a fresh seed. FUZZ_SEED replays one; fast-check prints the
// seed and the shrunk counterexample on failure.

import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type LoadResult } from '../src/config/load.js';
import { formatIssue } from '../src/config/section-reader.js';
import { loadCorpus, mutatedConfig, writeCase, type CorpusEntry } from './support/config-mutations.js';
import { tempDir } from './support/tmp.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 10_000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 9_2026);
/** One config is a few files of a few KB: anything near this is a stall, not a slow disk. */
const CASE_BUDGET_MS = 2_000;
const WHOLE_FILE = /^(?:no \[supervisord\] section|could not read config file)/u;

/** The property, for one answer: what an operator would see is always a config error with file:line. */
function expectConfigAnswer(result: LoadResult, ms: number): void {
  expect(ms, 'loadConfig took too long').toBeLessThan(CASE_BUDGET_MS);
  if (result.ok) return;
  expect(result.issues.length).toBeGreaterThan(0);
  for (const issue of result.issues) {
    const shown = formatIssue(issue);
    expect(issue.file, shown).toMatch(/^\//u);
    expect(Number.isInteger(issue.line) && issue.line >= 0, shown).toBe(true);
    if (issue.line === 0) expect(issue.message, shown).toMatch(WHOLE_FILE);
    expect(issue.message, shown).not.toMatch(/internal error/u);
    expect(issue.message.length, shown).toBeGreaterThan(0);
  }
}

function timedLoad(file: string): [LoadResult, number] {
  const started = performance.now();
  const result = loadConfig(file);
  return [result, performance.now() - started];
}

const ODD = ['\uFEFF', '\u00a0', '\x85', '\u2028', '\r', '\t', '%', '%(', ')s', '"', "'", ';', '#', '[', ']', '=', ':', '\\', '\u0661', '😀'];
const iniLine: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.constantFrom('[supervisord]', '[program:a]', '[eventlistener:e]', '[fcgi-program:f]', '[group:g]', '[include]', '[rpcinterface:r]', '[DEFAULT]'),
  fc.tuple(fc.constantFrom('command', 'numprocs', 'process_name', 'environment', 'events', 'socket', 'user', 'files', 'startsecs', 'umask'),
    fc.constantFrom('=', ':', ' = '), fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...ODD)), { maxLength: 6 }))
    .map(([k, sep, parts]) => `${k}${sep}${parts.join('')}`),
  fc.constantFrom(' continued', '\tcontinued', ''),
);
const iniText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.array(iniLine, { maxLength: 25 }).map((lines) => `[supervisord]\n${lines.join('\n')}`),
);

describe('the config reader never throws and never stalls', () => {
  it(`arbitrary and ini-shaped text (${Math.round(RUNS * 0.3)} cases, seed ${SEED})`, () => {
    const file = join(tempDir(), 'supervisord.conf');
    fc.assert(fc.property(iniText, (text) => {
      writeFileSync(file, text);
      const [result, ms] = timedLoad(file);
      expectConfigAnswer(result, ms);
    }), { numRuns: Math.round(RUNS * 0.3), seed: SEED });
  }, 600_000);

  it(`mutations of the repo's and the parity configs (${Math.round(RUNS * 0.7)} cases, seed ${SEED})`, () => {
    const corpus = loadCorpus();
    const root = tempDir();
    // One folder per corpus entry, written once; a case rewrites only the file it mutates.
    const mains = new Map<CorpusEntry, string>(corpus.map((entry, i) => [entry, writeCase(join(root, String(i)), entry.files, entry.dirs, entry.main)]));
    fc.assert(fc.property(mutatedConfig(corpus), (mutated) => {
      const main = mains.get(mutated.entry) ?? '';
      const target = join(main.slice(0, main.length - mutated.entry.main.length), mutated.target);
      writeFileSync(target, mutated.files[mutated.target] ?? '');
      try {
        const [result, ms] = timedLoad(main);
        expectConfigAnswer(result, ms);
      } finally {
        writeFileSync(target, mutated.entry.files[mutated.target] ?? '');
      }
    }), { numRuns: Math.round(RUNS * 0.7), seed: SEED });
  }, 600_000);
});
