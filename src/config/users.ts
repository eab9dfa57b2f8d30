// supervisord's user and group lookups (datatypes.name_to_uid, name_to_gid,
// colon_separated_user_group): a number is an id that must exist, anything else a name.

import type { GroupEntry, HostFacts, UserEntry } from './host.js';
import { integer } from './values.js';
import { ValueProblem } from './value-problem.js';

/** Python int() accepts it: ' 0 ', '+0' and '٠' are uid 0 to supervisord. */
function asId(text: string): string | undefined {
  try {
    return String(integer(text));
  } catch {
    return undefined;
  }
}

function find<T>(kind: 'user' | 'group', text: string, lookup: (key: string) => T | undefined, named: boolean): T {
  const id = asId(text);
  const entry = lookup(id ?? text);
  if (entry !== undefined) return entry;
  const what = named ? ` ${text}` : '';
  throw new ValueProblem(id === undefined ? `no such ${kind}${what} on this machine` : `no ${kind} with id ${id} on this machine`);
}

/** name_to_uid: `redis` or `999`; the ValueProblem leaves the name to the value it is reported with. */
export function userEntry(text: string, host: HostFacts): UserEntry {
  return find('user', text, (k) => host.lookupUser(k), false);
}

/** colon_separated_user_group: `user` or `user:group`, both of which must exist. */
export function userGroup(text: string, host: HostFacts): string {
  const colon = text.indexOf(':');
  find('user', colon === -1 ? text : text.slice(0, colon), (k) => host.lookupUser(k), true);
  if (colon !== -1) find<GroupEntry>('group', text.slice(colon + 1), (k) => host.lookupGroup(k), true);
  return text;
}
