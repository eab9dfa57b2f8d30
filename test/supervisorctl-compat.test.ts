// The stock Python supervisorctl (Debian's supervisor 4.2.5) is a real client of our XML-RPC: the
// same config runs under the real supervisord and under tssupervisord, the same supervisorctl
// command sequence is played against each, and the transcripts (stdout, stderr, exit code) must
// match once the values that legitimately differ between two independent daemons are masked.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CTL_BIN, DAEMON_BIN, PACKAGE_JSON_VERSION } from './support/bins.js';
import { isGone, liveChildrenOf, readText, until } from './support/daemon-process.js';
import { tempDir } from './support/tmp.js';
import { controlledDaemonHeader } from './support/configs.js';
import { waitGone } from './support/wait.js';

const SUPERVISORD = '/usr/bin/supervisord';
const SUPERVISORCTL = '/usr/bin/supervisorctl';
const HAVE_PYTHON_SUPERVISOR = existsSync(SUPERVISORD) && existsSync(SUPERVISORCTL);

interface Variant {
  /** The second config: sleeper's command changed and [program:added] new (for reread/update). */
  readonly changed: boolean;
}

/** One config both daemons run unchanged; every log is an explicit file in `dir` or AUTO. */
function compatConfig(dir: string, { changed }: Variant): string {
  return `${controlledDaemonHeader(dir, 'loglevel=debug')}
[program:sleeper]
command=/bin/sleep ${changed ? 1001 : 1000}
startsecs=0
stdout_logfile=${dir}/sleeper.out
stderr_logfile=${dir}/sleeper.err

[program:quick]
command=/bin/false
startretries=0
stdout_logfile=${dir}/quick.out
stderr_logfile=AUTO

[program:manual]
command=/bin/sh -c "echo manual says hello; echo line two; exec /bin/sleep 1000"
autostart=false
startsecs=0
stdout_logfile=${dir}/manual.out
stderr_logfile=${dir}/manual.err

[group:grp]
programs=ga,gb

[program:ga]
command=/bin/sleep 1000
startsecs=0
stdout_logfile=AUTO
stderr_logfile=AUTO

[program:gb]
command=/bin/sleep 1000
autostart=false
startsecs=0
stdout_logfile=AUTO
stderr_logfile=AUTO

[program:multi]
command=/bin/sleep 1000
numprocs=2
process_name=%(program_name)s_%(process_num)02d
startsecs=0
stdout_logfile=${dir}/%(process_num)s-multi.out
stderr_logfile=${dir}/%(process_num)s-multi.err

[program:nocmd]
command=/nonexistent/cmd
stdout_logfile=${dir}/nocmd.out
stderr_logfile=${dir}/nocmd.err
${changed ? `
[program:added]
command=/bin/sleep 1000
startsecs=0
stdout_logfile=${dir}/added.out
stderr_logfile=${dir}/added.err
` : ''}`;
}

interface Daemon {
  readonly name: 'python' | 'ours';
  /** Which supervisorctl drives it: Debian's, or ours (bin/tssupervisorctl.js). */
  readonly client: 'python' | 'ours';
  readonly dir: string;
  readonly conf: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

function startDaemonUnder(name: Daemon['name'], client: Daemon['client']): Daemon {
  const dir = tempDir();
  const conf = `${dir}/sup.conf`;
  writeFileSync(conf, compatConfig(dir, { changed: false }));
  const [cmd, args] = name === 'python'
    ? [SUPERVISORD, ['-c', conf, '-n']]
    : [process.execPath, [DAEMON_BIN, '-c', conf, '-n']];
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    resolve(code);
  }));
  onTestFinished(() => {
    if (child.exitCode === null && child.pid !== undefined) {
      // A failed test may leave the daemon and its children behind: take down the whole tree we started.
      for (const kid of liveChildrenOf(child.pid)) process.kill(kid, 'SIGKILL');
      child.kill('SIGKILL');
    }
  });
  return { name, client, dir, conf, child, exited, output: () => output };
}

interface Step {
  readonly cmd: string;
  /** Marks a step the comparison treats specially (a documented deviation). */
  readonly label?: string;
  readonly rc: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

async function ctl(d: Daemon, cmd: string): Promise<Step> {
  const [bin, prefix] = d.client === 'python' ? [SUPERVISORCTL, []] : [process.execPath, [CTL_BIN]];
  const r = await execa(bin, [...prefix, '-c', d.conf, ...cmd.split(' ')], {
    reject: false, timeout: 20_000, stripFinalNewline: false, cwd: d.dir,
  });
  return { cmd, rc: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** Polls `supervisorctl status` until every pattern matches a line of it. */
async function waitForStatus(d: Daemon, patterns: readonly RegExp[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = (await ctl(d, 'status')).stdout;
    const lines = last.split('\n');
    if (patterns.every((p) => lines.some((l) => p.test(l)))) return;
    if (Date.now() > deadline) {
      throw new Error(`${d.name}: status never matched ${patterns.map(String).join(', ')}; last:\n${last}\n--- daemon output:\n${d.output()}`);
    }
  }
}

const state = (name: string, st: string): RegExp => new RegExp(`^${name.replace(/[*]/gu, "\\*")} +${st} `, 'u');

/** Masks only what two independent daemons legitimately disagree on. */
function normalise(d: Daemon, text: string): string {
  return text
    .replaceAll(d.dir, '<DIR>')
    .replace(/pid \d+/gu, 'pid N')
    .replace(/uptime \d+:\d\d:\d\d/gu, 'uptime H:MM:SS')
    .replace(/[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M/gu, 'Mon DD HH:MM XM');
}

/** `pid` prints bare pids: a positive one becomes N, 0 (not running) stays. */
const maskBarePids = (text: string): string => text.replace(/^[1-9]\d*$/gmu, 'N');

/**
 * Multi-process results (`start all`, `stop grp:*`) arrive in completion order in both daemons
 * (supervisord polls its deferred callbacks each tick; we report each as it settles), so two
 * processes finishing together may be listed either way round. Their lines are compared as a set
 * (sorted); the exit code is still compared exactly.
 */
const COMPLETION_ORDER = 'completion order';
/** The `tail` right after `clear` of a stopped process (see the deviation in the test). */
const CLEARED_WHILE_STOPPED = 'tail after clearing a stopped process';
const sortLines = (text: string): string => `${text.split('\n').filter((l) => l !== '').sort().join('\n')}\n`;

async function transcript(d: Daemon): Promise<{ steps: Step[]; kids: number[] }> {
  const steps: Step[] = [];
  const run = async (cmd: string, label?: string): Promise<Step> => {
    const step = await ctl(d, cmd);
    const bare = cmd === 'pid' || cmd.startsWith('pid ');
    let stdout = bare ? maskBarePids(normalise(d, step.stdout)) : normalise(d, step.stdout);
    if (label === COMPLETION_ORDER) stdout = sortLines(stdout);
    steps.push({ ...step, ...(label === undefined ? {} : { label }), stdout, stderr: normalise(d, step.stderr) });
    return step;
  };
  const log = (file: string, pattern: RegExp): Promise<true> =>
    until(`${d.name}: ${file} to match ${String(pattern)}`, () => (pattern.test(readText(`${d.dir}/${file}`)) ? true : undefined), 10_000);

  for (const cmd of ['status', 'status sleeper', 'status nosuch', 'status grp:*']) await run(cmd);
  await run('start manual');
  // startProcess returns at RUNNING; the child's echo reaches the log file a moment later.
  await log('manual.out', /line two\n/u);
  for (const cmd of ['start manual', 'start nosuch', 'start nocmd', 'stop manual', 'stop manual', 'restart sleeper']) await run(cmd);
  await run('signal HUP sleeper');
  // /bin/sleep dies of SIGHUP; autorestart=unexpected brings it back. Wait for that before going on.
  await waitForStatus(d, [state('sleeper', 'RUNNING')]);
  for (const cmd of ['signal BOGUS sleeper', 'signal HUP quick', 'pid', 'pid sleeper', 'pid quick', 'pid all']) await run(cmd);
  for (const cmd of ['tail manual', 'tail -5 manual', 'tail manual stderr', 'tail nosuch', 'clear manual']) await run(cmd);
  await run('tail manual', CLEARED_WHILE_STOPPED);
  // Clearing the logs of a running process: both daemons delete and reopen the files.
  await run('start manual');
  await log('manual.out', /line two\n/u);
  for (const cmd of ['clear manual', 'tail manual', 'tail manual stderr', 'stop manual', 'avail']) await run(cmd);

  writeFileSync(d.conf, compatConfig(d.dir, { changed: true }));
  for (const cmd of ['reread', 'avail', 'update']) await run(cmd);
  // Added and updated groups autostart on the daemon's next tick.
  await waitForStatus(d, [state('sleeper', 'RUNNING'), state('added', 'RUNNING')]);
  for (const cmd of ['status', 'reread', 'update']) await run(cmd);

  for (const cmd of ['remove grp', 'stop grp:*', 'remove grp', 'status grp:*', 'add grp']) await run(cmd);
  await waitForStatus(d, [state('grp:ga', 'RUNNING')]);
  for (const cmd of ['add grp', 'add nosuch', 'remove nosuch', 'status grp:*', 'start grp:*', 'status multi:*', 'start multi:*']) await run(cmd);
  await run('stop grp:*', COMPLETION_ORDER);
  await run('start all', COMPLETION_ORDER);
  for (const cmd of ['clear all', 'status']) await run(cmd);
  await run('stop all', COMPLETION_ORDER);
  for (const cmd of ['status', 'start sleeper']) await run(cmd);
  await run('start multi:*', COMPLETION_ORDER);
  await run('version');
  // Shut down with children running: the daemon must stop them all before it exits.
  const kids = liveChildrenOf(d.child.pid ?? 0);
  expect(kids, `${d.name}: children before shutdown`).toHaveLength(3);
  await run('shutdown');
  return { steps, kids };
}

async function runAgainst(
  name: Daemon['name'], client: Daemon['client'] = 'python',
): Promise<{ daemon: Daemon; steps: Step[]; exitCode: number | null; kids: number[] }> {
  const d = startDaemonUnder(name, client);
  await until(`${name}: socket ${d.dir}/s.sock\n${d.output()}`, () => (existsSync(`${d.dir}/s.sock`) ? true : undefined), 15_000);
  await waitForStatus(d, [
    state('sleeper', 'RUNNING'), state('quick', 'FATAL'), state('nocmd', 'FATAL'),
    state('grp:ga', 'RUNNING'), state('multi:multi_00', 'RUNNING'), state('multi:multi_01', 'RUNNING'),
  ]);
  const { steps, kids } = await transcript(d);
  const exitCode = await d.exited;
  return { daemon: d, steps, exitCode, kids };
}

describe('the stock Python supervisorctl against tssupervisord and supervisord', () => {
  it('prints the same output with the same exit codes for every command', async () => {
    // Never skipped: without the reference there is nothing to compare, and that is a failure.
    expect(HAVE_PYTHON_SUPERVISOR, `${SUPERVISORD} and ${SUPERVISORCTL} (Debian supervisor 4.2.5) are required: apt-get install supervisor`).toBe(true);
    // The daemons are independent (own dir, socket, children): run them side by side. The third
    // run is ours end to end: tssupervisorctl driving tssupervisord.
    const [python, ours, oursEndToEnd] = await Promise.all([
      runAgainst('python'), runAgainst('ours'), runAgainst('ours', 'ours'),
    ]);

    // All exit 0 after `shutdown` and leave no child behind.
    for (const r of [python, ours, oursEndToEnd]) {
      expect(r.exitCode, `${r.daemon.name} exit code; output:\n${r.daemon.output()}`).toBe(0);
      for (const kid of r.kids) await waitGone(kid);
      expect(r.kids.filter((k) => !isGone(k))).toEqual([]);
    }

    // The pid lines have the expected shape (a positive integer, or 0 for a process not running).
    const step = (cmd: string): Step | undefined => ours.steps.find((s) => s.cmd === cmd);
    expect(step('pid')?.stdout).toBe('N\n');
    expect(step('pid sleeper')?.stdout).toBe('N\n');
    expect(step('pid quick')).toMatchObject({ stdout: '0\n', rc: 7 });

    // Documented deviation: `clear` of a process that is not running. supervisord 4.2.5 answers
    // `manual: cleared` but deletes nothing, because a process's log dispatchers only exist while it
    // has pipes (process.py finish() sets `self.dispatchers = {}`, and removelogs() walks them). We
    // do what clearProcessLogs promises ("Clear the stdout and stderr logs for the named process and
    // reopen them") whatever the state. Output and exit code of `clear` itself are identical.
    const afterClear = (steps: Step[]): Step | undefined => steps.find((s) => s.label === CLEARED_WHILE_STOPPED);
    expect(afterClear(python.steps)?.stdout).toBe('manual says hello\nline two\n\n');
    expect(afterClear(ours.steps)?.stdout).toBe('\n');
    const comparable = (steps: Step[]): Step[] => steps.map((s) => (s.label === CLEARED_WHILE_STOPPED ? { ...s, stdout: '<compared above>' } : s));

    // Intended difference (issue 14): tssupervisorctl's `version` prints our own version beside the
    // supervisord one; the stock supervisorctl against our daemon still prints the bare 4.2.5.
    const versionStep = (steps: Step[]): Step | undefined => steps.find((s) => s.cmd === 'version');
    expect(versionStep(ours.steps)?.stdout).toBe('4.2.5\n');
    expect(versionStep(oursEndToEnd.steps)?.stdout).toBe(`tssupervisor ${PACKAGE_JSON_VERSION} (supervisord 4.2.5 compatible)\n`);
    const asStock = (steps: Step[]): Step[] => steps.map((s) => (s.cmd === 'version' ? { ...s, stdout: '4.2.5\n' } : s));

    expect(comparable(ours.steps)).toEqual(comparable(python.steps));
    expect(comparable(asStock(oursEndToEnd.steps))).toEqual(comparable(python.steps));
  }, 120_000);
});
