// What a real child sees: environment layering and SUPERVISOR_* (reference §1.8), directory=,
// umask=, user=, and redirect_stderr at the fd level.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProcessConfig } from '../src/config/schema.js';
import { fileChannel, fixture, groupOf, programConfig, startSupervisor, type HarnessOptions } from './support/supervisor-harness.js';
import { tempDir } from './support/tmp.js';
import { waitForFile } from './support/wait.js';

const NAMES = ['SUPERVISOR_ENABLED', 'SUPERVISOR_PROCESS_NAME', 'SUPERVISOR_GROUP_NAME', 'SUPERVISOR_SERVER_URL',
  'TSS_FROM_DAEMON', 'TSS_OVERRIDDEN', 'TSS_ONLY_PROGRAM'];

/** Runs print-env.mjs as `name` in group `group` and returns what it printed as a map. */
async function childSees(
  program: Partial<ProcessConfig> & { name: string }, group: string, options: HarnessOptions = {},
): Promise<Map<string, string>> {
  const out = join(tempDir(), `${program.name}.out`);
  const h = startSupervisor([groupOf([programConfig({ command: fixture('print-env.mjs', ...NAMES), stdout: fileChannel(out), ...program })], group)], options);
  const text = await waitForFile(out, /^READY \d+$/mu);
  await h.waitForState(program.name, 'RUNNING');
  const seen = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) seen.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return seen;
}

const daemonEnv = (extra: Record<string, string>): Record<string, string | undefined> => {
  const env: Record<string, string | undefined> = { ...process.env, ...extra };
  delete env['SUPERVISOR_SERVER_URL'];
  return env;
};

describe('child environment', () => {
  it("has SUPERVISOR_*, the daemon's environment, and the program's environment over both", async () => {
    const seen = await childSees({
      name: 'proc', environment: { TSS_OVERRIDDEN: 'program', TSS_ONLY_PROGRAM: 'p' },
    }, 'grp', { daemonEnv: daemonEnv({ TSS_FROM_DAEMON: 'daemon', TSS_OVERRIDDEN: 'daemon' }), serverUrl: 'unix:///tmp/tss-test.sock' });
    expect(Object.fromEntries(NAMES.map((n) => [n, seen.get(n)]))).toEqual({
      SUPERVISOR_ENABLED: '1',
      SUPERVISOR_PROCESS_NAME: 'proc',
      SUPERVISOR_GROUP_NAME: 'grp',
      SUPERVISOR_SERVER_URL: 'unix:///tmp/tss-test.sock',
      TSS_FROM_DAEMON: 'daemon',
      TSS_OVERRIDDEN: 'program',
      TSS_ONLY_PROGRAM: 'p',
    });
  });

  it('has no SUPERVISOR_SERVER_URL without a control server, and the program can override SUPERVISOR_*', async () => {
    const seen = await childSees({ name: 'proc', environment: { SUPERVISOR_GROUP_NAME: 'mine' } }, 'grp', { daemonEnv: daemonEnv({}) });
    expect(seen.get('SUPERVISOR_SERVER_URL')).toBe('<unset>');
    expect(seen.get('SUPERVISOR_GROUP_NAME')).toBe('mine');
    expect(seen.get('SUPERVISOR_PROCESS_NAME')).toBe('proc');
  });

  it("a program's serverurl= wins over the daemon's", async () => {
    const seen = await childSees({ name: 'proc', serverurl: 'http://127.0.0.1:9999' }, 'grp', {
      daemonEnv: daemonEnv({}), serverUrl: 'unix:///tmp/tss-test.sock',
    });
    expect(seen.get('SUPERVISOR_SERVER_URL')).toBe('http://127.0.0.1:9999');
  });

  it('directory= is the working directory and umask= the umask', async () => {
    const dir = tempDir();
    const seen = await childSees({ name: 'proc', directory: dir, umask: 0o027 }, 'proc');
    expect(seen.get('CWD')).toBe(dir);
    expect(seen.get('UMASK')).toBe('027');
  });

  it("without directory= and umask= the child inherits the daemon's", async () => {
    // process.umask() without an argument is deprecated (it writes the umask): read it from /proc.
    const ownUmask = (): string => /^Umask:\s*0*(\d+)$/mu.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]?.padStart(3, '0') ?? '?';
    const umask = ownUmask();
    const seen = await childSees({ name: 'proc' }, 'proc');
    expect(seen.get('CWD')).toBe(process.cwd());
    expect(seen.get('UMASK')).toBe(umask);
    // Spawning with umask= elsewhere must not have changed the daemon's own.
    expect(ownUmask()).toBe(umask);
  });

  it.runIf(process.getuid?.() === 0)('user=nobody runs the child as uid 65534', async () => {
    const seen = await childSees({ name: 'proc', user: 'nobody', uid: 65534, directory: '/' }, 'proc');
    expect(seen.get('UID')).toBe('65534');
  });
});

describe('redirect_stderr', () => {
  it('puts stderr lines into the stdout log, in order', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.log');
    const err = join(dir, 'err.log');
    const h = startSupervisor([groupOf([programConfig({
      name: 'both', command: fixture('interleave.mjs', 4), redirectStderr: true, stdout: fileChannel(out), stderr: fileChannel(err),
    })])]);
    const text = await waitForFile(out, /^READY \d+$/mu);
    await h.waitForState('both', 'RUNNING');
    expect(text).toBe(`out 1\nerr 1\nout 2\nerr 2\nout 3\nerr 3\nout 4\nerr 4\nREADY ${h.runner('both').snapshot.pid}\n`);
    expect(existsSync(err) ? readFileSync(err, 'utf8') : '').toBe('');
  });

  it('without it, stderr goes to its own log', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.log');
    const err = join(dir, 'err.log');
    startSupervisor([groupOf([programConfig({
      name: 'split', command: fixture('interleave.mjs', 2), stdout: fileChannel(out), stderr: fileChannel(err),
    })])]);
    const text = await waitForFile(out, /^READY \d+$/mu);
    expect(text).toMatch(/^out 1\nout 2\nREADY \d+\n$/u);
    expect(await waitForFile(err, /err 2\n/u)).toBe('err 1\nerr 2\n');
  });
});
