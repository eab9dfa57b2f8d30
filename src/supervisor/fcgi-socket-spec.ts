// Where an [fcgi-program:x]'s socket is and how it is made, from its config: supervisord's
// parse_fcgi_socket and its Inet/UnixStreamSocketConfig (datatypes.py), as data for the native
// listenSocket() (host/native-addon.ts). Pure: user and group lookups come in.

import { posix as path } from 'node:path';
import type { HostFacts } from '../config/host.js';
import type { FcgiExtras } from '../config/schema.js';
import { integer } from '../config/values.js';
import type { ListenSpec } from '../host/native-addon.js';

/** A socket to make: its url as supervisord logs it (`Creating socket <url>`) and the call. */
export interface FcgiSocketSpec {
  readonly url: string;
  /** An Error only when the machine changed since the config was validated (a user removed). */
  readonly listen: ListenSpec | Error;
}

/** SOMAXCONN on Linux since 5.4 (supervisord listens with socket.SOMAXCONN unless socket_backlog). */
export const SOMAXCONN = 4096;

/** supervisord's default socket_mode for a unix socket. */
const DEFAULT_UNIX_MODE = 0o700;

export interface SocketOwnerFacts {
  readonly lookupUser: HostFacts['lookupUser'];
  readonly lookupGroup: HostFacts['lookupGroup'];
  /** The daemon's own uid (a socket for a program with another user= is given to that user). */
  readonly daemonUid: number;
}

/** `user` or `user:group` as (uid, gid); gid -1 (unchanged) without a group, as colon_separated_user_group. */
function ownerOf(text: string, facts: SocketOwnerFacts): { uid: number; gid: number } | Error {
  const colon = text.indexOf(':');
  const userText = (colon === -1 ? text : text.slice(0, colon)).trim();
  const user = facts.lookupUser(userText);
  if (user === undefined) return new Error(`socket_owner ${text}: no such user ${userText} on this machine`);
  if (colon === -1) return { uid: user.uid, gid: -1 };
  const groupText = text.slice(colon + 1).trim();
  const group = facts.lookupGroup(groupText);
  return group === undefined ? new Error(`socket_owner ${text}: no such group ${groupText} on this machine`) : { uid: user.uid, gid: group.gid };
}

/** The socket of a group whose processes run as `processUid` (their user=, null: the daemon's). */
export function fcgiSocketSpec(fcgi: FcgiExtras, processUid: number | null, facts: SocketOwnerFacts): FcgiSocketSpec {
  const backlog = fcgi.socketBacklog ?? SOMAXCONN;
  if (fcgi.socket.startsWith('unix://')) {
    // normalize_path: `..` and doubled slashes folded, as supervisord prints and binds it.
    const file = path.resolve(fcgi.socket.slice('unix://'.length));
    let owner: { uid: number; gid: number } | Error | null = null;
    if (fcgi.socketOwner !== null) owner = ownerOf(fcgi.socketOwner, facts);
    else if (processUid !== null && processUid !== facts.daemonUid) {
      // parse_fcgi_socket: the socket belongs to the user the program runs as, with that user's group.
      owner = { uid: processUid, gid: facts.lookupUser(String(processUid))?.gid ?? -1 };
    }
    return {
      url: `unix://${file}`,
      listen: owner instanceof Error ? owner : { path: file, backlog, mode: fcgi.socketMode ?? DEFAULT_UNIX_MODE, ...(owner ?? {}) },
    };
  }
  // tcp://host:port, checked at parse time; the host lowercased and the port an int, as supervisord's url.
  const at = fcgi.socket.lastIndexOf(':');
  const host = fcgi.socket.slice('tcp://'.length, at).toLowerCase();
  const port = integer(fcgi.socket.slice(at + 1));
  return { url: `tcp://${host}:${port}`, listen: { host, port, backlog } };
}
