// supervisord's process names, shared by daemon and ctl: `name` when group and process share it,
// else `group:name`; `group:*` or `group:` means the whole group (options.py make_namespec /
// split_namespec).

export function makeNamespec(group: string, process: string): string {
  return group === process ? process : `${group}:${process}`;
}

/** `g:p` -> [g, p]; `g:*` / `g:` -> [g, null] (whole group); `x` -> [x, x]. */
export function splitNamespec(namespec: string): [string, string | null] {
  const colon = namespec.indexOf(':');
  if (colon === -1) return [namespec, namespec];
  const group = namespec.slice(0, colon);
  const process = namespec.slice(colon + 1);
  return [group, process === '' || process === '*' ? null : process];
}
