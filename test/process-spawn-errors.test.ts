// Spawn-time errors with supervisord's exact spawnerr texts (reference §2.7), and how a command
// line becomes a file and argv: PATH lookup on the program's own environment, shell-style
// quoting without a shell (§1.8).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProcessConfig } from '../src/config/schema.js';
import { fileChannel, FIXTURES, groupOf, programConfig, startSupervisor } from './support/supervisor-harness.js';
import { tempDir } from './support/tmp.js';
import { waitForFile } from './support/wait.js';

/** Runs one program to FATAL (startretries=1: two tries 1 s apart) and checks the spawnerr everywhere. */
async function expectSpawnError(overrides: Partial<ProcessConfig> & { command: string }, spawnErr: string): Promise<void> {
  const h = startSupervisor([groupOf([programConfig({ name: 'bad', startMs: 50, startRetries: 1, ...overrides })])]);
  await h.waitForState('bad', 'FATAL', 5000);
  expect(h.runner('bad').snapshot.spawnErr).toBe(spawnErr);
  expect(h.runner('bad').snapshot.pid).toBe(0);
  expect(h.logs.filter((l) => l === `INFO spawnerr: ${spawnErr}`)).toHaveLength(2);
  expect(h.logs.filter((l) => l.startsWith('INFO spawned:'))).toEqual([]);
  expect(h.transitions.map((t) => t.to)).toEqual(['STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'FATAL']);
  expect(h.logs).toContain('INFO gave up: bad entered FATAL state, too many start retries too quickly');
}

describe('spawn errors end FATAL after startretries+1 tries', () => {
  it('an absolute command that does not exist', async () => {
    await expectSpawnError({ command: '/nonexistent/cmd' }, "can't find command '/nonexistent/cmd'");
  });

  it('a bare name that is not on PATH', async () => {
    await expectSpawnError({ command: 'tss-no-such-program --flag' }, "can't find command 'tss-no-such-program'");
  });

  it('a file that is not executable', async () => {
    const file = join(tempDir(), 'x.sh');
    writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    await expectSpawnError({ command: file }, `command at '${file}' is not executable`);
  });

  it('a directory', async () => {
    const dir = join(tempDir(), 'adir');
    mkdirSync(dir);
    await expectSpawnError({ command: `${dir} arg` }, `command at '${dir}' is a directory`);
  });

  it('a directory= that does not exist', async () => {
    await expectSpawnError({ command: '/bin/true', directory: '/nonexistent' }, "couldn't chdir to /nonexistent: ENOENT");
  });

  it('a command line with an unclosed quote', async () => {
    await expectSpawnError({ command: "bash -c 'foo" }, 'can\'t parse command "bash -c \'foo": No closing quotation');
  });
});

describe('command resolution', () => {
  it("finds a bare name on the program's own environment PATH, not the daemon's", async () => {
    const bin = tempDir();
    const out = join(bin, 'out.log');
    const tool = join(bin, 'tss-tool');
    writeFileSync(tool, '#!/bin/sh\necho "ran $0 $*"\necho "READY $$"\nexec /bin/sleep 3600\n');
    chmodSync(tool, 0o755);
    expect(process.env['PATH']?.split(':')).not.toContain(bin);
    const h = startSupervisor([groupOf([programConfig({
      name: 'tool', command: 'tss-tool one two', environment: { PATH: `${bin}:/usr/bin:/bin` }, stdout: fileChannel(out),
    })])]);
    const text = await waitForFile(out, /^READY \d+$/mu);
    expect(text).toContain(`ran ${tool} one two`);
    await h.waitForState('tool', 'RUNNING');
    expect(h.logs).toContain(`INFO spawned: 'tool' with pid ${h.runner('tool').snapshot.pid}`);
  });

  it('passes quoted words to the child as separate argv entries, without a shell', async () => {
    const out = join(tempDir(), 'out.log');
    const command = `${process.execPath} ${FIXTURES}print-argv.mjs 'a b' "c'd" e\\ f '$HOME' '*' ';' x|y "" "tab\tin"`;
    const h = startSupervisor([groupOf([programConfig({ name: 'argv', command, stdout: fileChannel(out) })])]);
    const text = await waitForFile(out, /^READY \d+$/mu);
    const argv = JSON.parse(text.split('\n')[0] ?? '') as unknown;
    expect(argv).toEqual(['a b', "c'd", 'e f', '$HOME', '*', ';', 'x|y', '', 'tab\tin']);
    await h.waitForState('argv', 'RUNNING');
  });
});
