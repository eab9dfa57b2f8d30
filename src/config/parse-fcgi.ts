// [fcgi-program:x] socket options (options.py process_groups_from_parser and parse_fcgi_socket).

import type { HostFacts } from './host.js';
import type { SectionReader } from './section-reader.js';
import type { GroupConfig } from './schema.js';
import { userGroup } from './users.js';
import { integer, octal, ValueProblem } from './values.js';

// parse_fcgi_socket's `tcp://([^\s:]+):(\d+)$`; Python's \d takes any decimal digit.
const TCP_RE = /^tcp:\/\/[^\s:]+:(?<port>\p{Nd}+)$/u;

function socketProblem(socket: string, unixOnly: boolean): string | null {
  if (socket.startsWith('unix://')) {
    return socket.slice('unix://'.length).startsWith('/') ? null : 'the unix socket path must be absolute (unix:///path)';
  }
  if (unixOnly) return 'socket_owner and socket_mode apply to a unix socket only';
  const port = TCP_RE.exec(socket)?.groups?.['port'];
  if (port === undefined) return 'not a socket (unix:///path or tcp://host:port)';
  const n = integer(port);
  return n >= 1 && n <= 65535 ? null : `port ${port} out of range 1-65535`;
}

export function fcgiExtras(r: SectionReader, programName: string, host: HostFacts): GroupConfig['fcgi'] {
  const socketBacklog = r.has('socket_backlog') ? r.get('socket_backlog', null, (v) => {
    const n = integer(v);
    if (n < 1 || n > 65535) throw new ValueProblem('not a valid socket_backlog (1-65535)');
    return n;
  }) : null;
  const socketOwner = r.has('socket_owner') ? r.get('socket_owner', null, (v) => userGroup(v, host)) : null;
  const socketMode = r.has('socket_mode') ? r.get('socket_mode', null, octal) : null;
  const socket = r.text('socket', { expansions: { program_name: programName } }) ?? '';
  if (socket === '') {
    // A socket= that failed to expand is already recorded.
    if (r.raw('socket') === undefined || r.raw('socket')?.value === '') {
      r.sectionProblem('no socket= given: an fcgi-program needs unix:///path or tcp://host:port');
    }
  } else {
    const problem = socketProblem(socket, r.has('socket_owner') || r.has('socket_mode'));
    if (problem !== null) r.problem('socket', new ValueProblem(problem));
  }
  return { socket, socketBacklog, socketOwner, socketMode };
}
