// The [supervisorctl] section, read as ClientOptions.read_config reads it: the main file only
// (no [include]), nothing else validated — supervisorctl must work with a config whose programs
// the daemon would refuse. Defaults apply when no file was found at all.

import { readFileSync } from 'node:fs';
import { posix as path } from 'node:path';
import { systemHost } from '../config/system-host.js';
import type { HostFacts } from '../config/host.js';
import { createIniDocument, readIniInto } from '../config/ini-reader.js';
import { absolutePath } from '../config/paths.js';
import { IssueLog, SectionReader } from '../config/section-reader.js';
import type { CtlConfig } from '../config/schema.js';

export const DEFAULT_CTL_CONFIG: CtlConfig = {
  serverurl: 'http://localhost:9001',
  username: null,
  password: null,
  prompt: 'supervisor',
  historyFile: null,
};

export type CtlConfigResult = { readonly ok: true; readonly config: CtlConfig } | { readonly ok: false; readonly message: string };

/** Reads [supervisorctl] from `file`; failures carry supervisorctl's usage-error text. */
export function loadCtlConfig(file: string, hostOverrides: Partial<HostFacts> = {}): CtlConfigResult {
  const host = systemHost(hostOverrides);
  const mainFile = path.resolve(host.cwd, file);
  let text: string;
  try {
    text = readFileSync(mainFile, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, message: `${missing ? 'could not find' : 'could not read'} config file ${file}` };
  }
  const doc = createIniDocument();
  readIniInto(doc, text, mainFile, 'supervisorctl');
  const syntax = doc.errors[0];
  if (syntax !== undefined) return { ok: false, message: `${file}:${syntax.line}: ${syntax.message}` };
  if (!doc.sections.has('supervisorctl')) return { ok: false, message: '.ini file does not include supervisorctl section' };

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(host.env)) if (v !== undefined) env[`ENV_${k}`] = v;
  const log = new IssueLog();
  const r = new SectionReader(doc, 'supervisorctl', log, env, mainFile);
  let serverurl = r.text('serverurl') ?? DEFAULT_CTL_CONFIG.serverurl;
  if (serverurl.startsWith('unix://')) serverurl = `unix://${absolutePath(serverurl.slice('unix://'.length), host)}`;
  const historyFile = r.text('history_file');
  const config: CtlConfig = {
    serverurl,
    username: r.text('username') ?? null,
    password: r.text('password') ?? null,
    prompt: r.text('prompt') ?? DEFAULT_CTL_CONFIG.prompt,
    historyFile: historyFile === undefined || historyFile === '' ? null : absolutePath(historyFile, host),
  };
  const issue = log.issues[0];
  if (issue !== undefined) return { ok: false, message: `[supervisorctl] ${issue.key ?? ''}: ${issue.message}` };
  return { ok: true, config };
}
