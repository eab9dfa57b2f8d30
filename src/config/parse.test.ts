import { describe, expect, it } from 'vitest';
import { dumpConfig } from './dump.js';
import type { HostFacts } from './host.js';
import { createIniDocument, readIniInto } from './ini-reader.js';
import { parseConfig, type ParseResult } from './parse.js';
import { formatIssue } from './section-reader.js';
import type { DaemonConfig } from './schema.js';

const host: HostFacts = {
  env: { HOME: '/home/op', PETS: 'cats' },
  hostname: 'box1',
  cwd: '/srv',
  tmpdir: '/tmp',
  home: '/home/op',
  isDirectory: (p) => ['/', '/tmp', '/srv', '/srv/log', '/var/log', '/etc/sup', '/home/op'].includes(p.replace(/\/$/u, '') || '/'),
  lookupUser: (k) => (k === 'redis' || k === '999' ? { name: 'redis', uid: 999, gid: 999, home: '/var/lib/redis' } : undefined),
  lookupGroup: (k) => (k === 'redis' ? { name: 'redis', gid: 999 } : undefined),
};

function parse(text: string): ParseResult {
  const doc = createIniDocument();
  readIniInto(doc, text, '/etc/sup/supervisord.conf');
  return parseConfig(doc, '/etc/sup/supervisord.conf', ['/etc/sup/supervisord.conf'], host);
}

function ok(text: string): DaemonConfig {
  const result = parse(text);
  if (!result.ok) throw new Error(result.issues.map((i) => formatIssue(i)).join('\n'));
  return result.config;
}

function problems(text: string): string[] {
  const result = parse(text);
  if (result.ok) throw new Error('expected problems');
  return result.issues.map((i) => formatIssue(i, (f) => f.replace('/etc/sup/', '')));
}

describe('[program:x] defaults are supervisord 4.2.5 defaults', () => {
  it('fills every option', () => {
    const p = ok('[supervisord]\n[program:web]\ncommand=/bin/cat\n').groups[0]?.processes[0];
    expect(p).toMatchObject({
      name: 'web', group: 'web', priority: 999, autostart: true, autorestart: 'unexpected', startMs: 1000,
      startRetries: 3, exitCodes: [0], stopSignal: 'TERM', stopWaitMs: 10_000, stopAsGroup: false, killAsGroup: false,
      user: null, redirectStderr: false, directory: null, umask: null, serverurl: null, environment: {},
      stdout: { logfile: { kind: 'auto' }, maxBytes: 52428800, backups: 10, captureMaxBytes: 0, eventsEnabled: false, syslog: false },
    });
  });

  it('freezes the result deeply', () => {
    const config = ok('[supervisord]\n[program:web]\ncommand=/bin/cat\n');
    expect(Object.isFrozen(config.groups[0]?.processes[0]?.exitCodes)).toBe(true);
  });

  it('applies [supervisord] defaults', () => {
    const s = ok('[supervisord]\n').supervisord;
    expect(s).toMatchObject({
      logfile: '/srv/supervisord.log', pidfile: '/srv/supervisord.pid', logfileMaxBytes: 52428800, logfileBackups: 10,
      loglevel: 'info', umask: 0o22, nodaemon: false, minfds: 1024, minprocs: 200, childlogdir: '/tmp', identifier: 'supervisor',
    });
  });
});

describe('expansions', () => {
  it('expands numprocs into one process per process_num, sorted by name', () => {
    const config = ok(`[supervisord]
[program:redis]
command=redis-server --port 63%(process_num)02d --name %(program_name)s@%(host_node_name)s
process_name=%(program_name)s_%(process_num)02d
numprocs=3
numprocs_start=80
directory=%(here)s/%(process_num)d
stdout_logfile=/var/log/%(program_name)s-%(process_num)d-of-%(numprocs)d.log
environment=HOME_OF="%(ENV_HOME)s",PETS=%(ENV_PETS)s
`);
    const [group] = config.groups;
    expect(group?.name).toBe('redis');
    expect(group?.processes.map((p) => [p.name, p.command, p.directory])).toEqual([
      ['redis_80', 'redis-server --port 6380 --name redis@box1', '/etc/sup/80'],
      ['redis_81', 'redis-server --port 6381 --name redis@box1', '/etc/sup/81'],
      ['redis_82', 'redis-server --port 6382 --name redis@box1', '/etc/sup/82'],
    ]);
    expect(group?.processes[2]?.stdout.logfile).toEqual({ kind: 'file', path: '/var/log/redis-82-of-3.log' });
    expect(group?.processes[0]?.environment).toEqual({ HOME_OF: '/home/op', PETS: 'cats' });
  });

  it('merges [supervisord] environment under the program and offers it as ENV_*', () => {
    const p = ok('[supervisord]\nenvironment=A="sup",B="sup"\n[program:x]\ncommand=/bin/echo %(ENV_A)s %(ENV_C)s\nenvironment=B="prog",C="c"\n').groups[0]?.processes[0];
    expect(p?.environment).toEqual({ A: 'sup', B: 'prog', C: 'c' });
    expect(p?.command).toBe('/bin/echo sup c');
  });

  it('keeps %% as a literal %', () => {
    expect(ok('[supervisord]\n[program:x]\ncommand=dhcrelay -a %%h:%%p %%P\n').groups[0]?.processes[0]?.command).toBe('dhcrelay -a %h:%p %P');
  });
});

describe('groups', () => {
  it('[group:x] takes its programs out of their own groups; groups sort by (priority, name)', () => {
    const config = ok(`[supervisord]
[program:b]
command=/bin/cat
priority=5
[program:a]
command=/bin/cat
[program:solo]
command=/bin/cat
priority=1
[group:web]
programs=b,a
priority=10
`);
    expect(config.groups.map((g) => [g.name, g.priority, g.processes.map((p) => `${p.group}:${p.name}`)])).toEqual([
      ['solo', 1, ['solo:solo']],
      ['web', 10, ['web:b', 'web:a']],
    ]);
  });

  it('dumps with supervisord option names and units', () => {
    const dump = dumpConfig(ok('[supervisord]\n[program:x]\ncommand=/bin/cat\nstartsecs=5\numask=002\nredirect_stderr=true\nstderr_logfile=/var/log/x.err\n')) as {
      groups: { processes: Record<string, unknown>[] }[];
    };
    expect(dump.groups[0]?.processes[0]).toMatchObject({
      startsecs: 5, stopwaitsecs: 10, umask: '002', stopsignal: 'TERM', stdout_logfile: 'AUTO', stderr_logfile: 'NONE', serverurl: 'AUTO',
    });
  });
});

describe('every problem at once, each naming file, line, section, key and value', () => {
  it('reports all the mistakes of a config in one pass', () => {
    expect(problems(`[supervisord]
loglevel=loud
[program:redis]
command=redis-server
startsecs=abc
autostart=maybe
stopsignal=FOO
exitcodes=0,256
autorestart=sometimes
umask=089
user=nosuchuser
stdout_logfile=/nonexistent/dir/x.log
[program:bad name]
command=/bin/cat
[program:nocmd]
priority=1
[program:multi]
command=/bin/cat
numprocs=2
[program:pct]
command=/bin/echo 50%
[program:unknownname]
command=/bin/echo %(foo)s
[program:env]
command=/bin/cat
environment=A=1,B
[program:grp]
command=/bin/cat
stopasgroup=true
killasgroup=false
[group:g]
programs=nosuch
`)).toEqual([
      "supervisord.conf:2 [supervisord] loglevel='loud': not a log level (critical, error, warn, info, debug, trace, blather)",
      "supervisord.conf:5 [program:redis] startsecs='abc': not an integer",
      "supervisord.conf:6 [program:redis] autostart='maybe': not a boolean (use true/false, yes/no, on/off or 1/0)",
      "supervisord.conf:7 [program:redis] stopsignal='FOO': not a valid signal name (e.g. TERM, SIGINT, HUP, 9)",
      "supervisord.conf:8 [program:redis] exitcodes='0,256': not a list of exit codes (comma-separated integers 0-255)",
      "supervisord.conf:9 [program:redis] autorestart='sometimes': not a valid autorestart value (true, false or unexpected)",
      "supervisord.conf:10 [program:redis] umask='089': not an octal number (e.g. 022)",
      "supervisord.conf:11 [program:redis] user='nosuchuser': no such user on this machine",
      "supervisord.conf:12 [program:redis] stdout_logfile='/nonexistent/dir/x.log': the folder /nonexistent/dir does not exist",
      'supervisord.conf:13 [program:bad name]: not a valid name: it contains " "',
      'supervisord.conf:15 [program:nocmd]: no command= given: every program needs a command to run',
      'supervisord.conf:17 [program:multi] process_name: numprocs > 1, so process_name must contain %(process_num)s (e.g. %(program_name)s_%(process_num)02d)',
      "supervisord.conf:21 [program:pct] command='/bin/echo 50%': a lone '%' at the end (write %% for a literal %)",
      "supervisord.conf:23 [program:unknownname] command='/bin/echo %(foo)s': unknown expansion %(foo)s: available are group_name, here, host_node_name, numprocs, process_num, program_name and ENV_<NAME> for each environment variable",
      "supervisord.conf:26 [program:env] environment='A=1,B': not a list of KEY=value pairs (quote values that contain spaces or commas)",
      "supervisord.conf:30 [program:grp] killasgroup='false': cannot be false when stopasgroup=true",
      "supervisord.conf:32 [group:g] programs='nosuch': names nosuch, but there is no [program:nosuch] section",
    ]);
  });

  it('requires a [supervisord] section', () => {
    expect(problems('[program:x]\ncommand=/bin/cat\n')).toEqual(['supervisord.conf: no [supervisord] section (it is required, even if empty)']);
  });

  it('reports syntax errors with their lines', () => {
    expect(problems('[supervisord]\ngarbage line\n')).toEqual(["supervisord.conf:2: not a `key = value` line"]);
  });

  it('checks server sections', () => {
    expect(problems('[supervisord]\n[unix_http_server]\nchmod=999\nusername=u\n[inet_http_server]\nport=x:70000\n')).toEqual([
      'supervisord.conf:2 [unix_http_server]: incomplete authentication: give both username and password, or neither',
      'supervisord.conf:2 [unix_http_server]: no file= given (the path of the control socket)',
      "supervisord.conf:3 [unix_http_server] chmod='999': not an octal number (e.g. 022)",
      "supervisord.conf:6 [inet_http_server] port='x:70000': port out of range 1-65535",
    ]);
  });

  it('reads metrics_auth (ours): true unless set false, a bad value a problem', () => {
    const inet = (extra: string) => ok(`[supervisord]\n[inet_http_server]\nport=127.0.0.1:9001\n${extra}`).inetServers[0];
    expect(inet('')?.metricsAuth).toBe(true);
    expect(inet('metrics_auth=false\n')?.metricsAuth).toBe(false);
    expect(inet('metrics_auth=true\n')?.metricsAuth).toBe(true);
    expect(problems('[supervisord]\n[inet_http_server]\nport=127.0.0.1:9001\nmetrics_auth=maybe\n')).toEqual([
      expect.stringMatching(/^supervisord\.conf:4 \[inet_http_server\] metrics_auth='maybe': /u) as string,
    ]);
  });
});

describe('warnings, as supervisord tolerates', () => {
  it('warns about unknown sections and keys, and supervisord parse warnings', () => {
    const result = parse('[supervisord]\nbogus=1\n[Program:x]\ncommand=x\n[program:y]\ncommand=/bin/cat\nstdout_logfile_maxbytes=0\nwat=1\n');
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      '/etc/sup/supervisord.conf:2 [supervisord] bogus: unknown option, ignored',
      '/etc/sup/supervisord.conf:3 [Program:x]: unknown section, ignored; did you mean [program:x]?',
      '/etc/sup/supervisord.conf:8 [program:y] wat: unknown option, ignored',
      'For [program:y], AUTO logging used for stdout_logfile without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally',
    ]);
  });

  it('says which known option a misspelt one was probably meant to be', () => {
    const result = parse('[supervisord]\nlogfil=x.log\n[program:y]\ncommand=/bin/cat\nautorestrat=true\nhealthcheck_retires=2\n');
    expect(result.warnings).toEqual([
      '/etc/sup/supervisord.conf:2 [supervisord] logfil: unknown option, ignored; did you mean logfile?',
      '/etc/sup/supervisord.conf:5 [program:y] autorestrat: unknown option, ignored; did you mean autorestart?',
      '/etc/sup/supervisord.conf:6 [program:y] healthcheck_retires: unknown option, ignored; did you mean healthcheck_retries?',
    ]);
  });
});

describe('an exception the reader does not expect is a config error, never a throw', () => {
  it('records it against the value that caused it, with file:line', () => {
    const doc = createIniDocument();
    readIniInto(doc, '[supervisord]\n[program:a]\ncommand=/bin/cat\nuser=redis\n', '/etc/sup/supervisord.conf');
    const broken: HostFacts = { ...host, lookupUser: () => { throw new TypeError('passwd is unreadable'); } };
    const result = parseConfig(doc, '/etc/sup/supervisord.conf', ['/etc/sup/supervisord.conf'], broken);
    expect(result.ok ? [] : result.issues.map((i) => formatIssue(i))).toEqual([
      "/etc/sup/supervisord.conf:4 [program:a] user='redis': internal error while reading this value (TypeError: passwd is unreadable); please report it",
    ]);
  });
});

describe('what supervisord accepts, we accept', () => {
  it('only warns about [supervisorctl], which the daemon never reads', () => {
    const result = parse('[supervisord]\n[supervisorctl]\nserverurl=unix://%(nosuch)s\n');
    expect(result.ok).toBe(true);
    expect(result.warnings).toContainEqual(expect.stringMatching(
      /^\/etc\/sup\/supervisord\.conf:3 \[supervisorctl\] serverurl='unix:\/\/%\(nosuch\)s': unknown expansion .* \(the daemon does not use \[supervisorctl\]\)$/u,
    ));
  });

  it('takes a [group:x] without programs= as an empty group, with a warning', () => {
    const result = parse('[supervisord]\n[group:g]\npriority=5\n');
    expect(result.ok && result.config.groups.map((g) => [g.name, g.processes.length])).toEqual([['g', 0]]);
    expect(result.warnings).toContain('/etc/sup/supervisord.conf:2 [group:g]: no programs= given, so the group is empty');
  });
});

describe('sizes that would stall the reader are config errors', () => {
  it('refuses numprocs over 10,000 and a numprocs_start past exact integers', () => {
    expect(problems('[supervisord]\n[program:a]\ncommand=/bin/cat\nprocess_name=a%(process_num)d\nnumprocs=99999999999\n')).toEqual([
      "supervisord.conf:5 [program:a] numprocs='99999999999': too many processes (at most 10000 per section)",
    ]);
    expect(problems('[supervisord]\n[program:a]\ncommand=/bin/cat\nprocess_name=a%(process_num)d\nnumprocs=3\nnumprocs_start=9007199254740991\n')).toEqual([
      "supervisord.conf:6 [program:a] numprocs_start='9007199254740991': too large for a process number",
    ]);
  });
});

describe('depends_on (tssupervisor extension)', () => {
  const programs = (...sections: string[]): string => `[supervisord]\n${sections.join('\n')}\n`;
  const program = (name: string, extra = ''): string => `[program:${name}]\ncommand=/bin/cat\n${extra}`;

  it('is read as written: split on commas, trimmed, empty entries dropped; dumped as depends_on', () => {
    const config = ok(programs(program('db'), program('cache'), program('app', 'depends_on = db ,, cache ,\n')));
    const app = config.groups.flatMap((g) => g.processes).find((p) => p.name === 'app');
    expect(app?.dependsOn).toEqual(['db', 'cache']);
    const dumped = (dumpConfig(config)['groups'] as { processes: Record<string, unknown>[] }[]).flatMap((g) => g.processes);
    expect(dumped.find((p) => p['name'] === 'app')?.['depends_on']).toEqual(['db', 'cache']);
    expect(dumped.find((p) => p['name'] === 'db')?.['depends_on']).toEqual([]);
  });

  it('accepts a program name, group:name and group:*', () => {
    const config = ok(programs(
      '[group:web]\nprograms=app,static\n', program('app'), program('static'),
      program('db', 'numprocs=2\nprocess_name=db_%(process_num)d\n'),
      program('proxy', 'depends_on=web:*\n'), program('worker', 'depends_on=db, web:static\n'),
    ));
    expect(config.groups.flatMap((g) => g.processes).map((p) => [p.name, p.dependsOn])).toContainEqual(['worker', ['db', 'web:static']]);
  });

  it('reports unknown names, self-dependencies and cycles at the key, all at once', () => {
    expect(problems(programs(
      '[group:web]\nprograms=app\n',
      program('app', 'depends_on=web\n'),
      program('a', 'depends_on=b\n'),
      program('b', 'depends_on=nope, web:ghost, ghosts:*, a\n'),
      program('self', 'depends_on=self\n'),
    ))).toEqual([
      "supervisord.conf:7 [program:app] depends_on='web': web is a group, not a program: write web:* for all its processes",
      "supervisord.conf:11 [program:a] depends_on='b': cycle a -> b -> a",
      "supervisord.conf:15 [program:b] depends_on='nope, web:ghost, ghosts:*, a': no program named nope",
      "supervisord.conf:15 [program:b] depends_on='nope, web:ghost, ghosts:*, a': group web has no process named ghost",
      "supervisord.conf:15 [program:b] depends_on='nope, web:ghost, ghosts:*, a': no group named ghosts",
      "supervisord.conf:19 [program:self] depends_on='self': self cannot depend on itself (self names it)",
    ]);
  });

  it('reports a longer cycle once, on its first process in group order, naming group members as namespecs', () => {
    expect(problems(programs(
      '[group:web]\nprograms=app\n',
      program('x', 'depends_on=y\n'), program('y', 'depends_on=web:app\n'), program('app', 'depends_on=x\n'),
      program('free', 'depends_on=x\n'),
    ))).toEqual(["supervisord.conf:15 [program:app] depends_on='x': cycle web:app -> x -> y -> web:app"]);
  });
});

describe('keep-healthy keys (tssupervisor extensions)', () => {
  const program = (keys: string): string => `[supervisord]\n[program:db]\ncommand=/bin/cat\n${keys}`;

  it('reads healthcheck= with its timings, max_memory, backoff, backoff_max and fatal_retry_after', () => {
    const p = ok(program([
      'healthcheck=exec:redis-cli -p 6382 ping', 'healthcheck_interval=2', 'healthcheck_timeout=0.5',
      'healthcheck_retries=4', 'healthcheck_start_period=30', 'max_memory=512MB', 'backoff=exponential',
      'backoff_max=20', 'fatal_retry_after=300',
    ].join('\n'))).groups[0]?.processes[0];
    expect(p).toMatchObject({
      health: { probe: { kind: 'exec', command: 'redis-cli -p 6382 ping' }, intervalMs: 2000, timeoutMs: 500, retries: 4, startPeriodMs: 30_000 },
      maxMemoryBytes: 512 * 1024 * 1024, backoff: 'exponential', backoffMaxMs: 20_000, fatalRetryAfterMs: 300_000,
    });
  });

  it('defaults: no health check, no memory limit, supervisord\'s linear backoff, FATAL stays FATAL', () => {
    const p = ok(program('')).groups[0]?.processes[0];
    expect(p).toMatchObject({ health: null, maxMemoryBytes: 0, backoff: 'linear', backoffMaxMs: 60_000, fatalRetryAfterMs: 0 });
    const h = ok(program('healthcheck=tcp:127.0.0.1:6379')).groups[0]?.processes[0]?.health;
    expect(h).toEqual({ probe: { kind: 'tcp', host: '127.0.0.1', port: 6379 }, intervalMs: 10_000, timeoutMs: 5000, retries: 3, startPeriodMs: 0 });
  });

  it('every bad value is named with file, line, section and key, all at once', () => {
    const found = problems(program([
      'healthcheck=notify', 'healthcheck_interval=soon', 'healthcheck_retries=0', 'max_memory=lots',
      'backoff=fibonacci', 'backoff_max=0', 'fatal_retry_after=-1',
    ].join('\n')));
    expect(found).toEqual([
      expect.stringMatching(/^supervisord\.conf:4 \[program:db\] healthcheck='notify': 'notify' can only say a process started/u),
      expect.stringMatching(/^supervisord\.conf:5 \[program:db\] healthcheck_interval='soon': not a number of seconds/u),
      expect.stringMatching(/^supervisord\.conf:6 \[program:db\] healthcheck_retries='0': must be at least 1/u),
      expect.stringMatching(/^supervisord\.conf:7 \[program:db\] max_memory='lots': not a byte size/u),
      expect.stringMatching(/^supervisord\.conf:8 \[program:db\] backoff='fibonacci': not a backoff policy/u),
      expect.stringMatching(/^supervisord\.conf:9 \[program:db\] backoff_max='0': must be at least 1 seconds/u),
      expect.stringMatching(/^supervisord\.conf:10 \[program:db\] fatal_retry_after='-1': not a number of seconds/u),
    ]);
  });

  it('a timing without healthcheck= is a warning, and the dump carries every key in supervisord\'s units', () => {
    const result = parse(program('healthcheck_retries=5'));
    expect(result.ok && result.warnings).toEqual([expect.stringContaining('[program:db] healthcheck_retries set but healthcheck= is not: no effect')]);
    const dump = dumpConfig(ok(program('healthcheck=http://127.0.0.1:8081/healthz\nmax_memory=1GB')));
    const groups = dump['groups'] as { processes: Record<string, unknown>[] }[];
    expect(groups[0]?.processes[0]).toMatchObject({
      healthcheck: 'http://127.0.0.1:8081/healthz', healthcheck_interval: 10, healthcheck_timeout: 5, healthcheck_retries: 3,
      healthcheck_start_period: 0, max_memory: 1024 ** 3, backoff: 'linear', backoff_max: 60, fatal_retry_after: 0,
    });
  });
});
