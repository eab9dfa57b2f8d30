// Config parity: Python supervisord 4.2.5 (Debian's `supervisor` package, run through
// test/parity/supervisord-dump.py) and our loader must resolve every config to the same values,
// and must reject the same broken configs.
//
// Cases: every test/parity/configs/*.conf (only files directly in that folder; configs/inc/ holds
// files they include), the example stack's supervisord.conf, and every test/parity/bad/*.conf,
// whose first line is `; expect: <supervisord's exact error text>`.
//
// This never skips: without /usr/bin/python3 + supervisor every case fails with an explanation.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { dumpConfig, EXTENSION_PROCESS_KEYS } from '../src/config/dump.js';
import { loadConfig } from '../src/config/load.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
const DUMP_SCRIPT = join(repoRoot, 'test', 'parity', 'supervisord-dump.py');
const CONFIGS_DIR = join(repoRoot, 'test', 'parity', 'configs');
const BAD_DIR = join(repoRoot, 'test', 'parity', 'bad');

const EXTENSION_KEYS: readonly string[] = EXTENSION_PROCESS_KEYS;

/** A dump without the keys only tssupervisor knows (in each program of each group). */
function withoutExtensions(dump: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(dump, (key, value: unknown) => (EXTENSION_KEYS.includes(key) ? undefined : value))) as Record<string, unknown>;
}
const EXAMPLE = join(repoRoot, 'supervisord.conf');

function confFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.conf') && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
}

const goodCases = [...confFilesIn(CONFIGS_DIR), EXAMPLE].map((file) => ({ name: file.slice(repoRoot.length + 1), file }));
const badCases = confFilesIn(BAD_DIR).map((file) => ({ name: file.slice(repoRoot.length + 1), file }));

let supervisorProblem: string | null | undefined;

/** Throws (never skips) when Python supervisord is not usable here. */
function requirePythonSupervisor(): void {
  if (supervisorProblem === undefined) {
    const probe = spawnSync(PYTHON, ['-c', 'import supervisor.options, supervisor.datatypes'], { encoding: 'utf8' });
    supervisorProblem = probe.error !== undefined || probe.status !== 0
      ? `${PYTHON} cannot import supervisor (${probe.error?.message ?? probe.stderr.trim()}). `
        + 'Config parity needs Debian\'s `supervisor` package (apt-get install supervisor); '
        + `the pyenv python3 on PATH will not do.${process.env.CI === 'true' ? ' CI=true: this is a hard failure.' : ''}`
      : null;
  }
  if (supervisorProblem !== null) throw new Error(supervisorProblem);
}

interface PythonResult { readonly status: number | null; readonly json: unknown; readonly raw: string }

function runPython(configArg: string, cwd: string, env: NodeJS.ProcessEnv): PythonResult {
  requirePythonSupervisor();
  const run = spawnSync(PYTHON, [DUMP_SCRIPT, configArg], { cwd, env, encoding: 'utf8', timeout: 15_000 });
  if (run.error !== undefined) throw run.error;
  let json: unknown;
  try {
    json = JSON.parse(run.stdout) as unknown;
  } catch {
    throw new Error(`supervisord-dump.py ${configArg} exited ${String(run.status)} without JSON:\n${run.stdout}\n${run.stderr}`);
  }
  return { status: run.status, json, raw: run.stdout };
}

async function loadOurs(file: string): Promise<Awaited<ReturnType<typeof loadConfig>>> {
  // Promise.resolve: works whether loadConfig is sync or async.
  return Promise.resolve(loadConfig(file));
}

beforeAll(() => {
  // supervisord.conf puts its logfile/childlogdir under run/ and run/log/; Python checks that these
  // folders exist while parsing.  run/ is git-ignored, so make it here.
  mkdirSync(join(repoRoot, 'run', 'log'), { recursive: true });
});

describe('config parity with supervisord 4.2.5', () => {
  it('has the parity fixtures', () => {
    expect(goodCases.length).toBeGreaterThanOrEqual(12);
    expect(badCases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(goodCases)('$name resolves like supervisord', async ({ file }) => {
    // Same cwd and environment for both sides: defaults such as logfile=supervisord.log resolve
    // against the cwd, and %(ENV_X)s reads the environment.
    const theirs = runPython(file, process.cwd(), process.env);
    expect(theirs.status, `supervisord rejected ${file}:\n${theirs.raw}`).toBe(0);

    const result = await loadOurs(file);
    if (!result.ok) {
      throw new Error(`loadConfig rejected ${file}, which supervisord accepts:\n${inspect(result.issues, { depth: 5 })}`);
    }
    // Round-trip through JSON: compare exactly what `tssupervisord --dump-config` would print.
    const ours = JSON.parse(JSON.stringify(dumpConfig(result.config))) as Record<string, unknown>;
    // Our extension keys (ready=, ready_timeout=, depends_on=; the example stack uses them) are
    // ignored by supervisord: compare the rest, and check they really are ours alone.
    const theirsJson = theirs.json as Record<string, unknown>;
    expect(JSON.stringify(theirsJson)).not.toMatch(/"(ready|ready_timeout|depends_on)"/u);
    expect(withoutExtensions(ours)).toEqual(theirsJson);
  });

  it.each(badCases)('$name is rejected by both', async ({ file, name }) => {
    const firstLine = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
    const match = /^; expect: (.*)$/u.exec(firstLine);
    expect(match, `${name} must start with "; expect: <supervisord error text>"`).not.toBeNull();
    const expected = match?.[1] ?? '';

    // The message names the file as given on the command line and lists the environment's ENV_*
    // names, so run from the repo root with a relative path and a one-variable environment.
    const theirs = runPython(name, repoRoot, { LC_ALL: 'C.UTF-8' });
    expect(theirs.status, `supervisord did not reject ${name}:\n${theirs.raw}`).toBe(2);
    expect(theirs.json).toEqual({ error: expected });

    const result = await loadOurs(file);
    const detail = result.ok
      ? `loadConfig accepted it:\n${JSON.stringify(dumpConfig(result.config), null, 1)}`
      : `issues:\n${inspect(result.issues, { depth: 5 })}`;
    expect(result.ok, `${name} should be rejected (supervisord: ${expected}); ${detail}`).toBe(false);
    expect(result.ok ? 0 : result.issues.length, detail).toBeGreaterThan(0);
  });
});
