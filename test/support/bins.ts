// Runs the built command-line programs (npm test builds dist/ first).
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DAEMON_BIN = `${ROOT}bin/tssupervisord.js`;
export const CTL_BIN = `${ROOT}bin/tssupervisorctl.js`;
/** The package's own version, read from package.json as a test's independent expectation. */
export const PACKAGE_JSON_VERSION = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;

export interface CliResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runDaemonCli(args: readonly string[], cwd = ROOT): Promise<CliResult> {
  const { exitCode, stdout, stderr } = await execa(process.execPath, [DAEMON_BIN, ...args], { cwd, reject: false, timeout: 15_000 });
  return { exitCode, stdout, stderr };
}
