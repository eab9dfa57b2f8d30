// The one entry point the daemon and ctl use: path -> validated config, with the real machine's
// facts (environment, users, folders) unless a caller supplies its own.

import { posix as path } from 'node:path';
import type { HostFacts } from './host.js';
import type { IniDocument } from './ini-reader.js';
import { readConfigSource } from './ini-source.js';
import { parseConfig } from './parse.js';
import { internalError, type ConfigIssue } from './section-reader.js';
import type { DaemonConfig } from './schema.js';
import { systemHost } from './system-host.js';

export type LoadResult =
  | { readonly ok: true; readonly config: DaemonConfig; readonly warnings: readonly string[]; readonly infos: readonly string[] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[]; readonly warnings: readonly string[] };

/** Command-line flags beat the file: they enter [supervisord] as values from `<command line>`. */
function applyOverrides(doc: IniDocument, overrides: Readonly<Record<string, string>>): void {
  if (Object.keys(overrides).length === 0) return;
  // Without a [supervisord] section the file is invalid anyway; parse reports that.
  const section = doc.sections.get('supervisord');
  if (section === undefined) return;
  for (const [key, value] of Object.entries(overrides)) section.options.set(key, { value, file: COMMAND_LINE, line: 0 });
}

export const COMMAND_LINE = '<command line>';

/**
 * Reads, includes and validates the config at `file`; every problem is returned, never thrown.
 * The reader records every mistake it knows as a ConfigIssue; anything else that escapes it is
 * our bug, and is returned the same way, naming the file, so --check, start, SIGHUP and
 * reread/update can always answer with a config error instead of dying.
 */
export function loadConfig(
  file: string, hostOverrides: Partial<HostFacts> = {}, supervisordOverrides: Readonly<Record<string, string>> = {},
): LoadResult {
  try {
    return loadUnguarded(file, hostOverrides, supervisordOverrides);
  } catch (error) {
    return {
      ok: false,
      issues: [{ file, line: 0, section: null, key: null, value: null, message: internalError(error, 'the config') }],
      warnings: [],
    };
  }
}

/**
 * The host with isDirectory asked once per folder for this load: 1000 programs' 2000 log files in
 * one folder were 2000 stat()s (~30 ms at start). A load is one moment; a later one asks again.
 */
function withDirectoryMemo(host: HostFacts): HostFacts {
  const known = new Map<string, boolean>();
  return {
    ...host,
    isDirectory: (p) => {
      let is = known.get(p);
      if (is === undefined) {
        is = host.isDirectory(p);
        known.set(p, is);
      }
      return is;
    },
  };
}

function loadUnguarded(
  file: string, hostOverrides: Partial<HostFacts>, supervisordOverrides: Readonly<Record<string, string>>,
): LoadResult {
  const host = withDirectoryMemo(systemHost(hostOverrides));
  const mainFile = path.resolve(host.cwd, file);
  const envExpansions: Record<string, string> = { host_node_name: host.hostname };
  for (const [k, v] of Object.entries(host.env)) if (v !== undefined) envExpansions[`ENV_${k}`] = v;
  const source = readConfigSource(mainFile, envExpansions);
  if (source.files.length === 0) return { ok: false, issues: source.issues, warnings: [] };
  applyOverrides(source.doc, supervisordOverrides);
  const parsed = parseConfig(source.doc, mainFile, source.files, host);
  const warnings = [...source.warnings, ...parsed.warnings];
  if (!parsed.ok || source.issues.length > 0) {
    return { ok: false, issues: [...source.issues, ...(parsed.ok ? [] : parsed.issues)], warnings };
  }
  return { ok: true, config: parsed.config, warnings, infos: source.infos };
}
