// Composition root of tssupervisord: command line -> config -> (check | dump | run).
import { accessSync } from 'node:fs';
import { posix as path } from 'node:path';
import { dumpConfig } from '../config/dump.js';
import { loadConfig } from '../config/load.js';
import { formatIssue } from '../config/section-reader.js';
import { DAEMON_HELP, defaultConfigPaths, parseDaemonArgs, UsageError, type DaemonArgs } from './daemon-args.js';
import { SUPERVISOR_VERSION } from '../version.js';

function usage(message: string): never {
  process.stderr.write(`Error: ${message}\nFor help, use ${path.basename(process.argv[1] ?? 'tssupervisord')} -h\n`);
  process.exit(2);
}

/** Shows a path the way the operator gave it: relative to the current folder when inside it. */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function findConfig(args: DaemonArgs): string {
  if (args.configFile !== null) return args.configFile;
  const candidates = defaultConfigPaths(path.dirname(process.argv[1] ?? '.'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return usage(`No config file found at default paths (${candidates.join(', ')}); use the -c option to specify a config file at a different path`);
}

function main(): void {
  let args: DaemonArgs;
  try {
    args = parseDaemonArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) usage(error.message);
    throw error;
  }
  if (args.action === 'help') {
    process.stdout.write(DAEMON_HELP);
    return;
  }
  if (args.action === 'version') {
    process.stdout.write(`${SUPERVISOR_VERSION}\n`);
    return;
  }
  const file = findConfig(args);
  const loaded = loadConfig(file, {}, args.overrides);
  if (!loaded.ok) {
    for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue, displayPath)}\n`);
    const n = loaded.issues.length;
    process.stderr.write(`${displayPath(path.resolve(file))}: ${n} problem${n === 1 ? '' : 's'} found; nothing was started\n`);
    process.exit(2);
  }
  for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
  const { config } = loaded;
  if (args.action === 'dump-config') {
    process.stdout.write(`${JSON.stringify(dumpConfig(config), null, 2)}\n`);
    return;
  }
  const processes = config.groups.reduce((n, g) => n + g.processes.length, 0);
  if (args.action === 'check') {
    process.stdout.write(`${displayPath(config.configFile)}: OK (${processes} processes in ${config.groups.length} groups, ${config.files.length} files)\n`);
    return;
  }
  usage('running the daemon is not built yet; use --check or --dump-config');
}

main();
