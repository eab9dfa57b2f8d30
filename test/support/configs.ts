// The sections every test daemon with a control socket needs, so the same header is not written
// per test: a unix socket in `dir`, the supervisor RPC interface, a ctl pointing at the socket,
// and [supervisord] with its log (`dir`/sup.log), pid file and AUTO logs in `dir`.

export function controlledDaemonHeader(dir: string, supervisordExtra = ''): string {
  return `[unix_http_server]
file=${dir}/s.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://${dir}/s.sock

[supervisord]
logfile=${dir}/sup.log
pidfile=${dir}/sup.pid
childlogdir=${dir}
${supervisordExtra}
`;
}
