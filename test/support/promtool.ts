// Prometheus's own parser and linter on a scrape: `promtool check metrics` reads the exposition on
// stdin, exits non-zero on a parse error and prints each lint problem (a counter without _total,
// a missing HELP ...). A scrape passes only with exit 0 and nothing printed.
import { execa } from 'execa';

export const PROMTOOL = '/usr/bin/promtool';

export async function promtoolCheck(text: string): Promise<{ exitCode: number | undefined; output: string }> {
  const r = await execa(PROMTOOL, ['check', 'metrics'], { input: text, reject: false, timeout: 20_000 });
  return { exitCode: r.exitCode, output: `${r.stdout}${r.stderr}` };
}
