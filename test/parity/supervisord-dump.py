#!/usr/bin/python3
"""Resolve a supervisord config with supervisord 4.2.5 itself and dump it as JSON.

Usage: /usr/bin/python3 test/parity/supervisord-dump.py CONFIG_PATH
       /usr/bin/python3 test/parity/supervisord-dump.py --verdicts < PATHS

The second form reads one config path per line and answers each with one JSON
line, in order: {"ok": true}, {"error": "<supervisord's text>"}, {"crash":
"<exception>"} when supervisord would die on something other than a config
error, or {"hang": true} when it has not decided after 10 seconds (supervisord
builds a 1 GB string for %(process_num)999999999d).  The config mutation run
(test/config-mutations.test.ts) feeds it thousands of configs this way, one
interpreter for all of them.

Exit 0 with the resolved config as JSON (sort_keys, indent 1) on stdout, or
exit 2 with {"error": "<supervisord's ValueError text>"} when supervisord
rejects the config.  The JSON shape is the one `tssupervisord --dump-config`
produces (see test/config-parity.test.ts).

This drives ServerOptions.realize(args=['-c', path]) -- the exact code path
supervisord runs at startup -- with usage()/exit() patched to raise instead of
printing and exiting, so nothing daemonizes, nothing is opened besides the
config files, and the error text is the message supervisord would print after
"Error: ".
"""
import json
import pwd
import signal
import sys

try:
    from supervisor import datatypes
    from supervisor.options import (
        ServerOptions,
        EventListenerPoolConfig,
        FastCGIGroupConfig,
    )
except ImportError as exc:  # pragma: no cover - environment problem
    sys.stderr.write(
        'supervisord-dump.py: cannot import supervisor (%s); run it with '
        '/usr/bin/python3 (Debian package "supervisor")\n' % exc)
    sys.exit(3)


class ConfigRejected(Exception):
    pass


def octal_str(value):
    if value is None:
        return None
    # '0%o' style, at least 3 digits: 0o22 -> "022", 0o700 -> "0700", 0 -> "000"
    return ('0%o' % value).rjust(3, '0')


def logfile_str(value):
    if value is datatypes.Automatic:
        return 'AUTO'
    if value is None:
        return 'NONE'
    if value is datatypes.Syslog:  # never survives realize(), kept for safety
        return 'SYSLOG'
    return value


def autorestart_str(value):
    if value is datatypes.RestartUnconditionally:
        return 'true'
    if value is datatypes.RestartWhenExitUnexpected:
        return 'unexpected'
    if value is False:
        return 'false'
    raise AssertionError('unexpected autorestart value %r' % (value,))


def signal_str(num):
    name = signal.Signals(num).name
    return name[3:] if name.startswith('SIG') else name


def user_str(uid):
    if uid is None:
        return None
    return pwd.getpwuid(uid).pw_name


def group_kind(group):
    if isinstance(group, EventListenerPoolConfig):
        return 'eventlistener'
    if isinstance(group, FastCGIGroupConfig):
        return 'fcgi'
    return 'process'


def dump_process(pconfig, group_name):
    d = {
        'name': pconfig.name,
        'group': group_name,
        'command': pconfig.command,
        'directory': pconfig.directory,
        'umask': octal_str(pconfig.umask),
        'priority': pconfig.priority,
        'autostart': bool(pconfig.autostart),
        'autorestart': autorestart_str(pconfig.autorestart),
        'startsecs': pconfig.startsecs,
        'startretries': pconfig.startretries,
        'exitcodes': list(pconfig.exitcodes),
        'stopsignal': signal_str(pconfig.stopsignal),
        'stopwaitsecs': pconfig.stopwaitsecs,
        'stopasgroup': bool(pconfig.stopasgroup),
        'killasgroup': bool(pconfig.killasgroup),
        'user': user_str(pconfig.uid),
        'redirect_stderr': bool(pconfig.redirect_stderr),
        'environment': dict(pconfig.environment or {}),
        'serverurl': 'AUTO' if pconfig.serverurl is None else pconfig.serverurl,
    }
    for ch in ('stdout', 'stderr'):
        d[ch + '_logfile'] = logfile_str(getattr(pconfig, ch + '_logfile'))
        for key in ('logfile_maxbytes', 'logfile_backups', 'capture_maxbytes'):
            d['%s_%s' % (ch, key)] = int(getattr(pconfig, '%s_%s' % (ch, key)))
        for key in ('events_enabled', 'syslog'):
            d['%s_%s' % (ch, key)] = bool(getattr(pconfig, '%s_%s' % (ch, key)))
    return d


def dump(options):
    section = options.configroot.supervisord
    sup = {
        'logfile': options.logfile,
        'logfile_maxbytes': int(options.logfile_maxbytes),
        'logfile_backups': int(options.logfile_backups),
        'loglevel': level_name(options.loglevel),
        'pidfile': options.pidfile,
        'umask': octal_str(options.umask),
        'nodaemon': bool(options.nodaemon),
        'silent': bool(options.silent),
        'minfds': int(options.minfds),
        'minprocs': int(options.minprocs),
        'nocleanup': bool(options.nocleanup),
        'childlogdir': options.childlogdir,
        'user': options.user,
        'directory': options.directory,
        'strip_ansi': bool(options.strip_ansi),
        'environment': dict(section.environment or {}),
        'identifier': options.identifier,
    }
    groups = []
    for group in options.process_group_configs:
        groups.append({
            'name': group.name,
            'priority': group.priority,
            'kind': group_kind(group),
            'processes': [dump_process(p, group.name)
                          for p in group.process_configs],
        })
    return {'supervisord': sup, 'groups': groups}


def level_name(levelnum):
    # logging_level() turned the name into a number; map it back to the
    # LevelsByDescription name ('WARN' in the config -> 'warn').
    from supervisor.loggers import LevelsByName
    canonical = {
        LevelsByName.CRIT: 'critical',
        LevelsByName.ERRO: 'error',
        LevelsByName.WARN: 'warn',
        LevelsByName.INFO: 'info',
        LevelsByName.DEBG: 'debug',
        LevelsByName.TRAC: 'trace',
        LevelsByName.BLAT: 'blather',
    }
    return canonical[levelnum]


class Hang(Exception):
    pass


def on_alarm(signum, frame):
    raise Hang()


def rejecting_options():
    """ServerOptions whose usage() and exit() raise ConfigRejected instead of ending the process."""
    options = ServerOptions()

    def usage(msg):
        raise ConfigRejected(str(msg))

    def exit_(code):
        raise ConfigRejected('supervisord tried to exit(%r)' % (code,))

    options.usage = usage
    options.exit = exit_
    return options


def verdicts():
    signal.signal(signal.SIGALRM, on_alarm)
    for line in sys.stdin:
        path = line.rstrip('\n')
        options = rejecting_options()
        signal.alarm(10)
        try:
            options.realize(args=['-c', path], doc='', progname='supervisord')
            dump(options)
            answer = {'ok': True}
        except ConfigRejected as exc:
            answer = {'error': str(exc)}
        except Hang:
            answer = {'hang': True}
        except BaseException as exc:  # noqa: B902 - any escape is a crash of supervisord
            answer = {'crash': '%s: %s' % (type(exc).__name__, exc)}
        finally:
            signal.alarm(0)
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + '\n')
        sys.stdout.flush()
    return 0


def main(argv):
    if argv[1:] == ['--verdicts']:
        return verdicts()
    if len(argv) != 2:
        sys.stderr.write('usage: %s CONFIG_PATH\n' % argv[0])
        return 64
    options = rejecting_options()
    try:
        options.realize(args=['-c', argv[1]], doc='', progname='supervisord')
    except ConfigRejected as exc:
        sys.stdout.write(json.dumps({'error': str(exc)}, sort_keys=True,
                                    indent=1, ensure_ascii=False) + '\n')
        return 2
    sys.stdout.write(json.dumps(dump(options), sort_keys=True, indent=1,
                                ensure_ascii=False) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
