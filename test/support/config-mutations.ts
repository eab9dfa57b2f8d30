// Grammar-aware mutations of real configs, for property tests of a reader (fast-check arbitraries).
// The corpus is the repo's own stack (supervisord.conf + config.d/*.ini) and every parity config
// (test/parity/configs/*.conf with the files they include); a mutation edits one file of one
// entry the way people break configs: a value replaced by a huge number, an unknown name, odd
// Unicode (a BOM, NBSP, Arabic digits), a bad %-expansion or an unclosed quote; an option added
// to a section, a line deleted, duplicated or cut, a section renamed or added. Each case is
// written to its own folder with the entry's other files, so includes and %(here)s still work.
// Nothing here knows our parser: a server or XML-RPC fuzz can reuse the same idea on its corpus.

import fc from 'fast-check';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT } from './bins.js';

export interface CorpusEntry {
  readonly name: string;
  /** Path of the main config, relative to the case folder. */
  readonly main: string;
  /** Every file of the entry (relative path -> text), the main one included. */
  readonly files: Readonly<Record<string, string>>;
  /** Folders the config expects to exist (log folders). */
  readonly dirs: readonly string[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function readTree(base: string, paths: readonly string[]): Record<string, string> {
  return Object.fromEntries(paths.map((p) => [relative(base, p), readFileSync(p, 'utf8')]));
}

/** The repo's stack and every parity config, read once. */
export function loadCorpus(): CorpusEntry[] {
  const configs = join(ROOT, 'test', 'parity', 'configs');
  const included = filesUnder(join(configs, 'inc'));
  const parity = readdirSync(configs).filter((f) => f.endsWith('.conf')).sort().map((main): CorpusEntry => ({
    name: `test/parity/configs/${main}`,
    main,
    files: readTree(configs, [join(configs, main), ...included]),
    dirs: ['logs'],
  }));
  const stackFiles = [join(ROOT, 'supervisord.conf'), ...readdirSync(join(ROOT, 'config.d')).map((f) => join(ROOT, 'config.d', f))];
  const stack: CorpusEntry = { name: 'supervisord.conf', main: 'supervisord.conf', files: readTree(ROOT, stackFiles), dirs: ['run/log'] };
  return [stack, ...parity];
}

const HUGE = ['9'.repeat(10), '9'.repeat(20), '9'.repeat(400), '9'.repeat(4301), '-1', '0', '65536', '70000', '1e3', '0x10', '1.5', '-0', '+5', '1_0'];
const NAMES = [
  'nosuch', 'nosuchuser', 'root', '0', '65534', '99999', 'root:nosuchgroup', 'nosuchuser:root', 'root:root', 'root:99999',
  'NOSUCH_EVENT', 'PROCESS_STATE,NOSUCH', 'TICK_5', 'tick_60,process_state', 'supervisor.rpcinterface:nosuch',
  'nosuchmodule:make', 'supervisor.dispatchers:nosuch', 'not a spec', 'SIGFOO', 'KILL', '99', 'sometimes', 'maybe', 'AUTO',
  'NONE', 'syslog', 'unix://relative/x.sock', 'unix:///tmp/x.sock', 'tcp://127.0.0.1:70000', 'tcp://localhost',
  'tcp://127.0.0.1:9000', 'udp://x:1', 'http://', '127.0.0.1:0', ':9001', '*:9001', 'json', 'blather', 'CRIT', '089', '0o77',
  'a b', 'a:b', 'a/b', '/no/such/dir/x.log', '~nosuchuser/x', 'true', 'off',
];
const UNICODE = ['\uFEFF5', '5\uFEFF', '1\uFEFF0', '\u00a05', '\u0661\u0662', '\u200b', 'é', '\u2028', '\x85', '\x1c', '\uFEFF', '\u3000', '😀', '\u0000'];
const PERCENT = [
  '%(here)s', '%(nosuch)s', '%', '%%', '%(process_num)d', '%(program_name)s', '%(process_num)999999999d', '%(ENV_HOME)s',
  '%(host_node_name)s', '%(group_name)s', '%(numprocs)d', '%(here)d', '%s', '%(process_num)r', '%(process_num).200f', '%(',
];
const QUOTES = ['A="x', "A='x", 'A=1,B', 'A="x,y",B=2', '"', 'a\\', "'", 'A=%(here)s'];
const VALUES = [...HUGE, ...NAMES, ...UNICODE, ...PERCENT, ...QUOTES, '', ' '];

const KEYS = [
  'command', 'process_name', 'numprocs', 'numprocs_start', 'priority', 'autostart', 'startsecs', 'startretries', 'autorestart',
  'exitcodes', 'stopsignal', 'stopwaitsecs', 'stopasgroup', 'killasgroup', 'user', 'redirect_stderr', 'environment',
  'directory', 'umask', 'serverurl', 'stdout_logfile', 'stdout_logfile_maxbytes', 'stdout_logfile_backups', 'stderr_logfile',
  'stdout_capture_maxbytes', 'stdout_events_enabled', 'stdout_syslog', 'events', 'buffer_size', 'result_handler', 'socket',
  'socket_backlog', 'socket_owner', 'socket_mode', 'logfile', 'logfile_maxbytes', 'logfile_backups', 'loglevel', 'pidfile',
  'nodaemon', 'minfds', 'minprocs', 'childlogdir', 'identifier', 'file', 'chmod', 'chown', 'username', 'password', 'port',
  'files', 'programs', 'supervisor.rpcinterface_factory', 'retries',
];

const SECTIONS = [
  '[eventlistener:ev]\ncommand=/bin/cat\nevents=PROCESS_STATE\n',
  '[fcgi-program:f]\ncommand=/bin/cat\nsocket=unix:///tmp/tss-f.sock\n',
  '[rpcinterface:x]\nsupervisor.rpcinterface_factory=supervisor.rpcinterface:make_main_rpcinterface\n',
  '[group:g]\nprograms=nosuch\n',
  '[program:new]\ncommand=/bin/cat\n',
  '[inet_http_server]\nport=127.0.0.1:9001\n',
  '[unix_http_server]\nfile=/tmp/tss-x.sock\n',
  '[include]\nfiles=nothing/*.ini\n',
  '[supervisorctl]\nserverurl=unix:///tmp/tss-x.sock\n',
  '[DEFAULT]\nstartsecs=abc\n',
];
const HEADERS = ['[program:x y]', '[program:]', '[program:a:b]', '[eventlistener:e]', '[fcgi-program:f]', '[group:g]', '[rpcinterface:r]', '[bogus]', '[', '[]', '[supervisord]', '[include]'];
const INSERTS = ['\uFEFF', '%', '"', "'", ';', ' ;', '#', '\t', '\n ', '\n', '[', ']', '=', ':', '\u00a0', '\\', '0', '9'.repeat(30), ','];

export type MutationOp = 'setValue' | 'affixValue' | 'insertOption' | 'deleteLine' | 'duplicateLine' | 'insertText' | 'cutLine' | 'renameSection' | 'addSection';
const OPS: readonly MutationOp[] = ['setValue', 'setValue', 'setValue', 'affixValue', 'insertOption', 'insertOption', 'deleteLine', 'duplicateLine', 'insertText', 'cutLine', 'renameSection', 'addSection'];

export interface MutationStep { readonly op: MutationOp; readonly line: number; readonly at: number; readonly pick: number }

const OPTION_LINE = /^(?<key>[^\s;#[][^=:]*?)\s*(?<sep>[=:])\s*(?<value>.*)$/u;

function nth<T>(items: readonly T[], n: number): T {
  const item = items[n % items.length];
  if (item === undefined) throw new Error('nth of an empty list');
  return item;
}

/** Applies one step to a file's text; the description says what it did, for a failure message. */
export function applyStep(text: string, step: MutationStep): { text: string; did: string } {
  const lines = text.split('\n');
  const indexes = (pred: (l: string) => boolean): number[] => lines.flatMap((l, i) => (pred(l) ? [i] : []));
  const options = indexes((l) => OPTION_LINE.test(l));
  const headers = indexes((l) => l.trimStart().startsWith('['));
  const value = nth(VALUES, step.pick);
  const set = (i: number, line: string, did: string): { text: string; did: string } => {
    lines[i] = line;
    return { text: lines.join('\n'), did };
  };
  switch (step.op) {
    case 'setValue':
    case 'affixValue': {
      if (options.length === 0) return applyStep(text, { ...step, op: 'addSection' });
      const i = nth(options, step.line);
      const m = OPTION_LINE.exec(lines[i] ?? '')?.groups ?? {};
      const old = m['value'] ?? '';
      const next = step.op === 'setValue' ? value : step.at % 2 === 0 ? value + old : old + value;
      return set(i, `${m['key'] ?? ''}${m['sep'] ?? '='}${next}`, `line ${i + 1}: ${m['key'] ?? ''}=${JSON.stringify(next)}`);
    }
    case 'insertOption': {
      const i = headers.length === 0 ? 0 : nth(headers, step.line);
      const option = `${nth(KEYS, step.at)}=${value}`;
      lines.splice(i + 1, 0, option);
      return { text: lines.join('\n'), did: `after line ${i + 1}: ${JSON.stringify(option)}` };
    }
    case 'deleteLine': {
      const i = step.line % lines.length;
      lines.splice(i, 1);
      return { text: lines.join('\n'), did: `deleted line ${i + 1}` };
    }
    case 'duplicateLine': {
      const i = step.line % lines.length;
      lines.splice(i, 0, lines[i] ?? '');
      return { text: lines.join('\n'), did: `duplicated line ${i + 1}` };
    }
    case 'insertText':
    case 'cutLine': {
      const i = step.line % lines.length;
      const line = lines[i] ?? '';
      const at = step.at % (line.length + 1);
      const insert = nth(INSERTS, step.pick);
      return step.op === 'insertText'
        ? set(i, line.slice(0, at) + insert + line.slice(at), `line ${i + 1}: inserted ${JSON.stringify(insert)} at ${at}`)
        : set(i, line.slice(0, at), `line ${i + 1}: cut at ${at}`);
    }
    case 'renameSection': {
      if (headers.length === 0) return applyStep(text, { ...step, op: 'addSection' });
      const i = nth(headers, step.line);
      const header = nth(HEADERS, step.pick);
      return set(i, header, `line ${i + 1}: header ${header}`);
    }
    case 'addSection': {
      const section = nth(SECTIONS, step.pick);
      return { text: `${text}\n${section}`, did: `appended ${JSON.stringify(section.split('\n', 1)[0])}` };
    }
  }
}

export interface MutatedConfig {
  readonly entry: CorpusEntry;
  readonly files: Readonly<Record<string, string>>;
  /** The file that was changed (relative path). */
  readonly target: string;
  /** What was changed, one step per line. */
  readonly description: string;
}

const stepArbitrary: fc.Arbitrary<MutationStep> = fc.record({
  op: fc.constantFrom(...OPS),
  line: fc.nat({ max: 400 }),
  at: fc.nat({ max: 200 }),
  pick: fc.nat({ max: 1000 }),
});

/** One to three mutations of one file of one corpus entry. */
export function mutatedConfig(corpus: readonly CorpusEntry[]): fc.Arbitrary<MutatedConfig> {
  return fc.record({
    entry: fc.constantFrom(...corpus),
    file: fc.nat(),
    steps: fc.array(stepArbitrary, { minLength: 1, maxLength: 3 }),
  }).map(({ entry, file, steps }) => {
    const names = Object.keys(entry.files).sort();
    // The main file half the time: it holds most sections.
    const target = file % 2 === 0 ? entry.main : nth(names, file >> 1);
    let text = entry.files[target] ?? '';
    const did: string[] = [];
    for (const step of steps) {
      const result = applyStep(text, step);
      text = result.text;
      did.push(`${target} ${result.did}`);
    }
    return { entry, target, files: { ...entry.files, [target]: text }, description: `${entry.name}: ${did.join('; ')}` };
  });
}

/** Writes a case into `dir` (files and the folders its config expects); returns the main file. */
export function writeCase(dir: string, files: Readonly<Record<string, string>>, dirs: readonly string[], main: string): string {
  for (const d of dirs) mkdirSync(join(dir, d), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return join(dir, main);
}
