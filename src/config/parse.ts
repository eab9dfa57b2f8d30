// Raw ini sections -> a frozen DaemonConfig, or every problem found. Mirrors the order and rules
// of supervisor/options.py ServerOptions.read_config and process_groups_from_parser.

import { closestName } from './did-you-mean.js';
import { resolveDependencies } from './dependencies.js';
import type { Expansions } from './expand.js';
import type { HostFacts } from './host.js';
import { getRaw, type IniDocument } from './ini-reader.js';
import { PROGRAM_KEYS, processesFromSection, type ProgramContext } from './parse-program.js';
import { eventListenerExtras } from './parse-eventlistener.js';
import { fcgiExtras } from './parse-fcgi.js';
import { checkRpcInterfaces } from './parse-rpcinterface.js';
import { parseCtl, parseServers, SERVER_KEYS } from './parse-servers.js';
import { absolutePath, existingDirectory, existingDirPath } from './paths.js';
import { formatIssue, IssueLog, SectionReader, type ConfigIssue } from './section-reader.js';
import type { DaemonConfig, GroupConfig, GroupKind, ProgramKind, SupervisordConfig } from './schema.js';
import { userEntry } from './users.js';
import { boolean, byteSize, environment, integer, listOfStrings, logLevel, octal, processName, ValueProblem } from './values.js';

export type ParseResult =
  | { readonly ok: true; readonly config: DaemonConfig; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[]; readonly warnings: readonly string[] };

const SUPERVISORD_KEYS = [
  'logfile', 'logfile_maxbytes', 'logfile_backups', 'loglevel', 'pidfile', 'umask', 'nodaemon', 'silent', 'minfds',
  'minprocs', 'nocleanup', 'childlogdir', 'user', 'directory', 'strip_ansi', 'environment', 'identifier', 'logformat',
];

/** Known keys per kind of section; anything else draws a warning, as supervisord ignores it. */
const KNOWN_KEYS: Readonly<Record<string, readonly string[] | null>> = {
  supervisord: SUPERVISORD_KEYS,
  include: ['files'],
  group: ['programs', 'priority'],
  program: PROGRAM_KEYS,
  eventlistener: [...PROGRAM_KEYS, 'events', 'buffer_size', 'result_handler'],
  'fcgi-program': [...PROGRAM_KEYS, 'socket', 'socket_backlog', 'socket_owner', 'socket_mode'],
  ...SERVER_KEYS,
  rpcinterface: null,
  ctlplugin: null,
};

function freeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) freeze(child);
  }
  return value;
}

/** `logfile=syslog` means the syslog service, not a file named syslog (options.py realize). */
function daemonLogfile(value: string, host: HostFacts): string {
  return value === 'syslog' ? value : absolutePath(value, host);
}

function parseSupervisord(r: SectionReader, host: HostFacts): SupervisordConfig {
  // supervisord expands [supervisord] with %(here)s and ENV_* only (no %(host_node_name)s).
  const opts = {};
  const directory = r.has('directory') ? r.get('directory', null, (v) => existingDirectory(v, host), opts) : null;
  const logformat = r.get('logformat', 'text' as const, (v) => {
    if (v === 'text' || v === 'json') return v;
    throw new ValueProblem('not a log format (text or json)');
  }, opts);
  return {
    minfds: r.get('minfds', 1024, integer, opts),
    minprocs: r.get('minprocs', 200, integer, opts),
    directory,
    // Kept as written (the daemon drops privileges by it), but it must name a user (options.py realize).
    user: r.has('user') ? r.get('user', null, (v) => {
      userEntry(v, host);
      return v;
    }, opts) : null,
    umask: r.get('umask', 0o22, octal, opts),
    logfile: daemonLogfile(r.get('logfile', 'supervisord.log', (v) => existingDirPath(v, host), opts), host),
    logfileMaxBytes: r.get('logfile_maxbytes', 50 * 1024 * 1024, byteSize, opts),
    logfileBackups: r.get('logfile_backups', 10, integer, opts),
    loglevel: r.get('loglevel', 'info', logLevel, opts),
    pidfile: absolutePath(r.get('pidfile', 'supervisord.pid', (v) => existingDirPath(v, host), opts), host),
    identifier: r.text('identifier', opts) ?? 'supervisor',
    nodaemon: r.get('nodaemon', false, boolean, opts),
    silent: r.get('silent', false, boolean, opts),
    childlogdir: r.get('childlogdir', host.tmpdir, (v) => existingDirectory(v, host), opts),
    nocleanup: r.get('nocleanup', false, boolean, opts),
    stripAnsi: r.get('strip_ansi', false, boolean, opts),
    environment: r.get('environment', {}, environment, opts),
    logformat,
  };
}

function sectionKind(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(0, colon);
}

function warnUnknown(doc: IniDocument, log: IssueLog): void {
  for (const section of doc.sections.values()) {
    const kind = sectionKind(section.name);
    const known = KNOWN_KEYS[kind];
    if (known === undefined) {
      const meant = closestName(kind, Object.keys(KNOWN_KEYS));
      const hint = meant === null ? '' : `; did you mean [${meant}${section.name.slice(kind.length)}]?`;
      log.warnings.push(`${section.file}:${section.line} [${section.name}]: unknown section, ignored${hint}`);
      continue;
    }
    if (known === null) continue;
    for (const [key, value] of section.options) {
      if (known.includes(key)) continue;
      const meant = closestName(key, known);
      log.warnings.push(`${value.file}:${value.line} [${section.name}] ${key}: unknown option, ignored${meant === null ? '' : `; did you mean ${meant}?`}`);
    }
  }
}

function parseGroups(doc: IniDocument, log: IssueLog, base: Expansions, mainFile: string, ctx: ProgramContext): GroupConfig[] {
  const names = [...doc.sections.keys()];
  const reader = (name: string): SectionReader => new SectionReader(doc, name, log, base, mainFile);
  const groups: GroupConfig[] = [];
  const inHeterogeneous = new Set<string>();
  const homogeneous = (prefix: string, kind: ProgramKind, groupKind: GroupKind): void => {
    for (const name of names.filter((n) => n.startsWith(`${prefix}:`) && !inHeterogeneous.has(n))) {
      const r = reader(name);
      const groupName = r.check(null, '', () => processName(name.slice(prefix.length + 1)));
      const processes = processesFromSection(r, groupName, kind, ctx);
      const priority = r.get('priority', kind === 'eventlistener' ? -1 : 999, integer);
      const eventListener = kind === 'eventlistener' ? eventListenerExtras(r) : null;
      const fcgi = kind === 'fcgi-program' ? fcgiExtras(r, groupName, ctx.host) : null;
      groups.push({ name: groupName, priority, kind: groupKind, processes, eventListener, fcgi });
    }
  };
  for (const name of names.filter((n) => n.startsWith('group:'))) {
    const r = reader(name);
    const groupName = r.check(null, '', () => processName(name.slice('group:'.length)));
    const programs = listOfStrings(r.text('programs') ?? '');
    // supervisord takes a group without programs= as an empty group.
    if (!r.has('programs')) r.warn(`${r.file}:${r.line} [${name}]: no programs= given, so the group is empty`);
    const processes = programs.flatMap((program) => {
      const candidates = [`program:${program}`, `fcgi-program:${program}`].filter((s) => doc.sections.has(s));
      const [section] = candidates;
      if (section === undefined || candidates.length > 1) {
        r.problem('programs', new ValueProblem(section === undefined
          ? `names ${program}, but there is no [program:${program}] section`
          : `${program} is ambiguous (exists as program and fcgi-program)`));
        return [];
      }
      inHeterogeneous.add(section);
      const kind: ProgramKind = section.startsWith('program:') ? 'program' : 'fcgi-program';
      return processesFromSection(reader(section), groupName, kind, ctx);
    });
    groups.push({ name: groupName, priority: r.get('priority', 999, integer), kind: 'process', processes, eventListener: null, fcgi: null });
  }
  homogeneous('program', 'program', 'process');
  homogeneous('eventlistener', 'eventlistener', 'eventlistener');
  homogeneous('fcgi-program', 'fcgi-program', 'fcgi');
  // supervisord sorts group configs by (priority, name).
  return groups.sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `depends_on` names are only known once every group is: unknown names and cycles, each at its key's file:line. */
function checkDependencies(doc: IniDocument, groups: readonly GroupConfig[], log: IssueLog): void {
  for (const problem of resolveDependencies(groups).problems) {
    const raw = getRaw(doc, problem.section, 'depends_on');
    const section = doc.sections.get(problem.section);
    log.add({
      file: raw?.file ?? section?.file ?? '', line: raw?.line ?? section?.line ?? 0, section: problem.section,
      key: 'depends_on', value: raw?.value ?? null, message: problem.message,
    });
  }
}

/** Turns the ini document into a validated, frozen config, or reports every problem found. */
export function parseConfig(doc: IniDocument, mainFile: string, files: readonly string[], host: HostFacts): ParseResult {
  const log = new IssueLog();
  for (const e of doc.errors) {
    log.add({ file: e.file, line: e.line, section: null, key: null, value: e.text.trim(), message: e.message });
  }
  warnUnknown(doc, log);
  const envExpansions: Record<string, string> = {};
  for (const [k, v] of Object.entries(host.env)) if (v !== undefined) envExpansions[`ENV_${k}`] = v;
  if (!doc.sections.has('supervisord')) {
    log.add({ file: mainFile, line: 0, section: null, key: null, value: null, message: 'no [supervisord] section (it is required, even if empty)' });
  }
  const supervisord = parseSupervisord(new SectionReader(doc, 'supervisord', log, envExpansions, mainFile), host);
  // [supervisord] environment becomes ENV_* for every later expansion (supervisord >= 4.2.2).
  for (const [k, v] of Object.entries(supervisord.environment)) envExpansions[`ENV_${k}`] = v;
  const ctx: ProgramContext = { host, envExpansions, supervisordEnv: supervisord.environment, stripAnsi: supervisord.stripAnsi };
  const groups = parseGroups(doc, log, envExpansions, mainFile, ctx);
  checkDependencies(doc, groups, log);
  checkRpcInterfaces(doc, log, envExpansions, mainFile);
  const servers = parseServers(doc, log, envExpansions, mainFile, host);
  // supervisord never reads [supervisorctl]; a mistake there is the ctl's to refuse, not the daemon's.
  const ctlLog = new IssueLog();
  const ctl = parseCtl(doc, ctlLog, envExpansions, mainFile, host);
  for (const issue of ctlLog.issues) log.warnings.push(`${formatIssue(issue)} (the daemon does not use [supervisorctl])`);
  if (log.issues.length > 0) {
    // Report in reading order (file, then line), so the list reads like the config itself.
    const order = (file: string): number => (files.includes(file) ? files.indexOf(file) : files.length);
    const issues = [...log.issues].sort((a, b) => order(a.file) - order(b.file) || a.line - b.line);
    return { ok: false, issues, warnings: log.warnings };
  }
  const config: DaemonConfig = { configFile: mainFile, files, supervisord, groups, ...servers, ctl };
  return { ok: true, config: freeze(config), warnings: log.warnings };
}
