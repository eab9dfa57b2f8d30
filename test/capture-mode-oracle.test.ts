// CaptureMode against supervisord 4.2.5's own POutputDispatcher (run by /usr/bin/python3 on the
// same reads, test/fixtures/capture-mode-oracle.py): what goes to the log, what is captured, the
// payloads, and what is left waiting, for random streams, read cuts and capture_maxbytes.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BEGIN_TOKEN, CaptureMode } from '../src/logging/capture-mode.js';
import { cut, streamAndCuts } from './support/capture-streams.js';
import { FIXTURES } from './support/supervisor-harness.js';

interface Case {
  readonly maxBytes: number;
  readonly chunks: readonly string[];
}

interface Outcome {
  readonly steps: (readonly [string, string])[];
  readonly capturing: boolean;
  /** What is left at the end that the log may still get (see CaptureMode.end). */
  readonly rest: string;
}

function ours(c: Case): Outcome {
  const capture = new CaptureMode(c.maxBytes);
  const steps: (readonly [string, string])[] = [];
  const out = {
    logged: (data: Buffer, captured: boolean) => { steps.push([captured ? 'captured' : 'log', data.toString('latin1')]); },
    communicated: (data: Buffer) => { steps.push(['comm', data.toString('latin1')]); },
  };
  for (const chunk of c.chunks) capture.feed(Buffer.from(chunk, 'latin1'), out);
  const { capturing } = capture;
  return { steps, capturing, rest: capture.end().toString('latin1') };
}

function supervisords(cases: readonly Case[]): Outcome[] {
  const run = spawnSync('/usr/bin/python3', [`${FIXTURES}capture-mode-oracle.py`], {
    input: JSON.stringify(cases), encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`capture-mode-oracle.py failed (${String(run.status)}): ${run.stderr}`);
  const results = JSON.parse(run.stdout) as { steps: [string, string][]; capturing: boolean; held: string }[];
  // supervisord keeps what it holds back forever; we may log it at the end, unless it is capture
  // text or the BEGIN token itself (CaptureMode.end).
  return results.map((r) => ({
    steps: r.steps, capturing: r.capturing, rest: r.capturing || r.held === BEGIN_TOKEN.toString('latin1') ? '' : r.held,
  }));
}

describe('capture mode against supervisord\'s POutputDispatcher', () => {
  it('does what supervisord does, read for read, for random output, cuts and capture_maxbytes', () => {
    const cases = fc.sample(fc.tuple(streamAndCuts, fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 80 }), fc.constant(1 << 20)))
      .map(([[stream, cuts], maxBytes]): Case => ({ maxBytes, chunks: cut(stream, cuts) })), { numRuns: 2000, seed: 10 });
    const expected = supervisords(cases);
    expect(expected).toHaveLength(cases.length);
    // The sample must exercise what matters, or the comparison proves little.
    expect(expected.filter((o) => o.steps.some(([k]) => k === 'comm')).length).toBeGreaterThan(cases.length / 3);
    expect(expected.filter((o) => o.capturing).length).toBeGreaterThan(cases.length / 10);
    cases.forEach((c, i) => {
      expect(ours(c), JSON.stringify(c)).toEqual(expected[i]);
    });
  });

  it('the same with the reads of a pcomm.stdout-style child: BEGIN, payload and END as separate writes', () => {
    const cases: Case[] = [
      { maxBytes: 100, chunks: ['<!--XSUPERVISOR:BEGIN-->', 'hello', '<!--XSUPERVISOR:END-->'] },
      { maxBytes: 100, chunks: ['<!--XSUPERVISOR:BEGIN-->', 'hello', '<!--XSUPERVISOR:END-->', 'next line of output\n'] },
      { maxBytes: 4, chunks: ['<!--XSUPERVISOR:BEGIN-->', 'a long payload that overflows', '<!--XSUPERVISOR:END-->', '\n'] },
    ];
    expect(cases.map(ours)).toEqual(supervisords(cases));
  });
});
