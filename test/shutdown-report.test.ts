// What the main log says while a shutdown waits for programs that do not stop at once, against
// Python supervisord 4.2.5 as the oracle: its shutdown_report logs `waiting for a, b, c to die`
// (every unstopped process, whatever its group, in one line) as soon as the shutdown begins and
// every 3 s after; `waiting for x to stop` belongs to a single `stop` only (stop_report).

import { describe, expect, it } from 'vitest';
import { readText, type RunningDaemon } from './support/daemon-process.js';
import { DAEMONS, FIXTURES, startKind, supervisorctl, waitForSocket, type DaemonKind } from './support/event-oracle.js';
import { controlledDaemonHeader } from './support/configs.js';
import { tempDir, writeTree } from './support/tmp.js';
import { waitForFile } from './support/wait.js';

/**
 * c stops on SIGTERM; b and a ignore it. Shutdown goes c, b, a (reverse priority): b is
 * SIGKILLed 1 s in, a gets its SIGTERM then and is SIGKILLed 4 s later, so the daemon waits
 * about 5 s: the first report names all three, the one 3 s later only a. d is for `stop`.
 */
function config(dir: string): string {
  return `${controlledDaemonHeader(dir, 'loglevel=info')}
${stubborn('a', 'priority=10\nstopwaitsecs=4')}
${stubborn('b', 'priority=20\nstopwaitsecs=1')}
[program:c]
command=node ${FIXTURES}/sleep-forever.mjs
priority=30
startsecs=0

${stubborn('d', 'autostart=false\nstopwaitsecs=3')}`;
}

/** A program that ignores SIGTERM and says READY in its own log once it does. */
function stubborn(name: string, extra: string): string {
  return `[program:${name}]\ncommand=node ${FIXTURES}/ignore-sigterm.mjs\nstartsecs=0\nstdout_logfile=%(here)s/${name}.log\n${extra}\n`;
}

interface ParsedLine {
  readonly at: number;
  readonly text: string;
}

/** `2026-12-02 03:29:34,984 INFO x` -> epoch ms and `INFO x`. */
function parsed(line: string): ParsedLine {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3}) (.*)$/u.exec(line);
  if (match === null) throw new Error(`not a log line: ${line}`);
  return { at: Date.parse(`${match[1] ?? ''}T${match[2] ?? ''}.${match[3] ?? ''}`), text: match[4] ?? '' };
}

/** `kind` running the config above, once a, b and c run and the fixtures ignore SIGTERM. */
async function started(kind: DaemonKind): Promise<{ dir: string; daemon: RunningDaemon; log: () => ParsedLine[] }> {
  const dir = tempDir();
  writeTree(dir, { 'sup.conf': config(dir) });
  const file = `${dir}/sup.log`;
  const daemon = startKind(kind, `${dir}/sup.conf`, dir, file);
  // SIGTERM before the fixtures set their handler would kill them at once.
  for (const name of ['a', 'b']) await waitForFile(`${dir}/${name}.log`, /^READY \d+$/mu, 20_000);
  await daemon.waitForLog(/success: c entered RUNNING state/u, 20_000);
  return { dir, daemon, log: () => readText(file).split('\n').filter((l) => l.length > 0).map(parsed) };
}

/** The lines from the first one containing `text` on. */
function from(lines: readonly ParsedLine[], text: string): ParsedLine[] {
  const at = lines.findIndex((l) => l.text.includes(text));
  if (at < 0) throw new Error(`no line with ${text}`);
  return lines.slice(at);
}

const reports = (lines: readonly ParsedLine[]): ParsedLine[] => lines.filter((l) => / waiting for /u.test(l.text));

/** Each report names, in config order, exactly the programs whose `stopped:` line has not come yet. */
function namesLeftAt(lines: readonly ParsedLine[], report: ParsedLine, names: readonly string[]): string {
  const before = lines.slice(0, lines.indexOf(report));
  return names.filter((n) => !before.some((l) => l.text.includes(`stopped: ${n} (`))).join(', ');
}

/** Consecutive gaps between `lines` are at least `minMs` and below `maxMs`. */
function expectSpacing(lines: readonly ParsedLine[], minMs: number, maxMs: number): void {
  for (const [i, line] of lines.entries()) {
    const next = lines[i + 1];
    if (next === undefined) continue;
    expect(next.at - line.at).toBeGreaterThanOrEqual(minMs);
    expect(next.at - line.at).toBeLessThan(maxMs);
  }
}

// supervisord checks its throttles once per turn of its main loop, which turns at least once a
// second: its reports come 3 (2) to 4 (3) s apart. Ours come exactly 3 (2) s apart.
describe('the shutdown report', () => {
  it.each(DAEMONS)('%s: `waiting for a, b, c to die` at once, then every 3 s the ones left; never `to stop`', async (kind) => {
    const { daemon, log } = await started(kind);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited()).toBe(0);
    const lines = from(log(), 'received SIGTERM indicating exit request');
    const shown = reports(lines);
    expect(shown.length).toBeGreaterThanOrEqual(2);
    for (const report of shown) expect(report.text).toBe(`INFO waiting for ${namesLeftAt(lines, report, ['a', 'b', 'c'])} to die`);
    expect(shown[0]?.text).toBe('INFO waiting for a, b, c to die');
    expect((shown[0]?.at ?? Infinity) - (lines[0]?.at ?? 0)).toBeLessThan(500);
    expectSpacing(shown, 3000, 4500);
    const lastStop = lines.findLast((l) => l.text.includes('stopped: '));
    expect((lastStop?.at ?? Infinity) - (shown.at(-1)?.at ?? 0)).toBeLessThan(4500);
  }, 40_000);

  it.each(DAEMONS)('%s: a single `stop` says `waiting for d to stop` at once and every 2 s, never `to die`', async (kind) => {
    const { dir, daemon, log } = await started(kind);
    await waitForSocket(`${dir}/s.sock`);
    expect(await supervisorctl(`${dir}/sup.conf`, 'start', 'd')).toBe('d: started');
    await waitForFile(`${dir}/d.log`, /^READY \d+$/mu, 20_000);
    // d ignores SIGTERM until its SIGKILL 3 s (stopwaitsecs) later: reports at 0 and after 2 s.
    const asked = Date.now();
    expect(await supervisorctl(`${dir}/sup.conf`, 'stop', 'd')).toBe('d: stopped');
    const shown = reports(from(log(), "spawned: 'd'"));
    expect(shown.length).toBeGreaterThanOrEqual(2);
    for (const report of shown) expect(report.text).toBe('INFO waiting for d to stop');
    expect((shown[0]?.at ?? Infinity) - asked).toBeLessThan(1000);
    expectSpacing(shown, 2000, 3500);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited()).toBe(0);
  }, 40_000);
});
