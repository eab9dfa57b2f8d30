// Mutation parity: thousands of broken variants of real configs (test/support/config-mutations.ts),
// each judged by Debian's supervisord 4.2.5 parser (supervisord-dump.py --verdicts, one Python for
// all) and by loadConfig. Whatever supervisord rejects, we must reject too, unless accepting it is
// a difference README.md documents ("Where tssupervisor differs"). Where supervisord hangs or
// crashes, we must answer with a config error.
//
// CONFIG_MUTATIONS (default 300) sets the count, CONFIG_MUTATION_SEED the seed; `npm run fuzz`
// runs 3,000. The counts of both kinds of disagreement are printed.

import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { formatIssue } from '../src/config/section-reader.js';
import { ROOT } from './support/bins.js';
import { loadCorpus, mutatedConfig, writeCase, type MutatedConfig } from './support/config-mutations.js';
import { tempDir } from './support/tmp.js';

const COUNT = Number(process.env['CONFIG_MUTATIONS'] ?? 300);
const SEED = Number(process.env['CONFIG_MUTATION_SEED'] ?? 20261201);

type Verdict = { ok: true } | { error: string } | { hang: true } | { crash: string };

function supervisordVerdicts(paths: readonly string[]): Verdict[] {
  const run = spawnSync('/usr/bin/python3', [join(ROOT, 'test', 'parity', 'supervisord-dump.py'), '--verdicts'], {
    input: `${paths.join('\n')}\n`, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 60_000 + paths.length * 1000,
    env: { LC_ALL: 'C.UTF-8', PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root' },
  });
  if (run.error !== undefined) throw run.error;
  const verdicts = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Verdict);
  if (verdicts.length !== paths.length) throw new Error(`supervisord-dump.py --verdicts answered ${verdicts.length} of ${paths.length}:\n${run.stderr}`);
  return verdicts;
}

/**
 * Differences README.md documents ("Where tssupervisor differs"): accepting these is deliberate.
 */
const DELIBERATE: readonly { readonly why: string; readonly matches: (error: string) => boolean }[] = [
  {
    why: '"%(here)s everywhere, including [inet_http_server]"',
    matches: (e) => /for '(?:inet|unix)_http_server[^']*' contains names \('here'\)/u.test(e),
  },
  {
    why: '"Python plugins": a factory or handler outside supervisor\'s package is accepted with a warning',
    matches: (e) => /^(?!supervisor[.:])\S+ cannot be resolved within \[/u.test(e),
  },
];

describe('mutated configs: we reject whatever supervisord 4.2.5 rejects', () => {
  it(`${COUNT} mutations of the repo's and the parity configs (seed ${SEED})`, () => {
    const cases = fc.sample(mutatedConfig(loadCorpus()), { seed: SEED, numRuns: COUNT });
    const root = tempDir();
    const mains = cases.map((c: MutatedConfig, i) => writeCase(join(root, String(i)), c.files, c.entry.dirs, c.entry.main));
    const theirs = supervisordVerdicts(mains);
    const weAcceptTheyReject: string[] = [];
    const weRejectTheyAccept: string[] = [];
    const deliberate: string[] = [];
    const weThrew: string[] = [];
    mains.forEach((main, i) => {
      const what = cases[i]?.description ?? '';
      let ours: ReturnType<typeof loadConfig>;
      try {
        ours = loadConfig(main);
      } catch (error) {
        weThrew.push(`${what}\n    threw: ${String(error)}`);
        return;
      }
      const verdict = theirs[i] ?? { ok: true };
      if ('ok' in verdict && !ours.ok) {
        weRejectTheyAccept.push(`${what}\n    we say: ${ours.issues.map((issue) => formatIssue(issue)).join(' | ')}`);
      } else if (!('ok' in verdict) && ours.ok) {
        const reason = 'error' in verdict ? verdict.error : 'crash' in verdict ? `crash: ${verdict.crash}` : 'hang';
        const known = DELIBERATE.find((d) => d.matches(reason));
        (known === undefined ? weAcceptTheyReject : deliberate).push(`${what}\n    supervisord: ${reason}`);
      }
    });
    console.log(`config mutations: ${COUNT} configs, seed ${SEED}: ${weThrew.length} threw, ${weAcceptTheyReject.length} accepted by us but rejected by supervisord, `
      + `(and ${deliberate.length} more by a documented difference), ${weRejectTheyAccept.length} rejected by us but accepted by supervisord`);
    if (process.env['CONFIG_MUTATIONS_VERBOSE'] !== undefined) console.log(weRejectTheyAccept.join('\n'));
    expect(weThrew).toEqual([]);
    expect(weAcceptTheyReject).toEqual([]);
  }, 600_000);
});
