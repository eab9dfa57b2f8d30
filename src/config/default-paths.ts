// Where supervisord and supervisorctl look for a config when -c is not given, in a module of its
// own so that tssupervisorctl finds it without loading the daemon's argument parser.

/** Where supervisord looks for its config when -c is not given (options.py Options.__init__). */
export function defaultConfigPaths(executableDir: string): string[] {
  return [
    `${executableDir}/../etc/supervisord.conf`,
    `${executableDir}/../supervisord.conf`,
    'supervisord.conf',
    'etc/supervisord.conf',
    '/etc/supervisord.conf',
    '/etc/supervisor/supervisord.conf',
  ];
}
