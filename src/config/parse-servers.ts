// [unix_http_server], [inet_http_server] (and supervisord's undocumented `[inet_http_server:b]`
// extra servers) and [supervisorctl]. Mirrors options.py server_configs_from_parser and
// ClientOptions.read_config.

import type { Expansions } from './expand.js';
import type { HostFacts } from './host.js';
import type { IniDocument } from './ini-reader.js';
import { absolutePath } from './paths.js';
import { pyStrip } from './python-text.js';
import { userGroup } from './users.js';
import { SectionReader, type IssueLog } from './section-reader.js';
import type { CtlConfig, Credentials, InetServerConfig, UnixServerConfig } from './schema.js';
import { boolean, inetAddress, octal } from './values.js';

export const SERVER_KEYS: Readonly<Record<string, readonly string[]>> = {
  unix_http_server: ['file', 'chmod', 'chown', 'username', 'password'],
  // metrics_auth: ours (supervisord ignores it); false opens GET /metrics alone without credentials.
  inet_http_server: ['port', 'username', 'password', 'metrics_auth'],
  supervisorctl: ['serverurl', 'username', 'password', 'prompt', 'history_file'],
};

function credentials(r: SectionReader): Credentials | null {
  const username = r.text('username');
  const password = r.text('password');
  if (username === undefined && password === undefined) return null;
  if (username === undefined || password === undefined) {
    r.sectionProblem('incomplete authentication: give both username and password, or neither');
    return null;
  }
  return { username, password };
}

function serverSections(doc: IniDocument, prefix: string): string[] {
  return [...doc.sections.keys()].filter((n) => n === prefix || n.startsWith(`${prefix}:`));
}

export function parseServers(
  doc: IniDocument, log: IssueLog, base: Expansions, mainFile: string, host: HostFacts,
): { unixServers: UnixServerConfig[]; inetServers: InetServerConfig[] } {
  const inetServers = serverSections(doc, 'inet_http_server').flatMap((name): InetServerConfig[] => {
    const r = new SectionReader(doc, name, log, base, mainFile);
    const creds = credentials(r);
    if (!r.has('port')) {
      r.sectionProblem('no port= given (e.g. port=127.0.0.1:9001)');
      return [];
    }
    const address = r.get('port', null, inetAddress);
    const metricsAuth = r.get('metrics_auth', true, boolean);
    return address === null ? [] : [{ section: name, ...address, credentials: creds, metricsAuth }];
  });
  const unixServers = serverSections(doc, 'unix_http_server').flatMap((name): UnixServerConfig[] => {
    const r = new SectionReader(doc, name, log, base, mainFile);
    const chown = r.has('chown') ? r.get('chown', null, (v) => userGroup(v, host)) : null;
    const chmod = r.get('chmod', 0o700, octal);
    const creds = credentials(r);
    const fileText = r.text('file');
    const file = fileText === undefined ? undefined : pyStrip(fileText);
    if (file === undefined) {
      if (!r.has('file')) r.sectionProblem('no file= given (the path of the control socket)');
      return [];
    }
    return [{ section: name, file: absolutePath(file, host), chmod, chown, credentials: creds }];
  });
  return { unixServers, inetServers };
}

/** [supervisorctl]: read leniently, since the daemon does not use it and the ctl has defaults. */
export function parseCtl(doc: IniDocument, log: IssueLog, base: Expansions, mainFile: string, host: HostFacts): CtlConfig {
  const r = new SectionReader(doc, 'supervisorctl', log, base, mainFile);
  let serverurl = r.text('serverurl') ?? 'http://localhost:9001';
  if (serverurl.startsWith('unix://')) serverurl = `unix://${absolutePath(serverurl.slice('unix://'.length), host)}`;
  const historyFile = r.text('history_file');
  return {
    serverurl,
    username: r.text('username') ?? null,
    password: r.text('password') ?? null,
    prompt: r.text('prompt', { expand: false }) ?? 'supervisor',
    historyFile: historyFile === undefined ? null : absolutePath(historyFile, host),
  };
}
