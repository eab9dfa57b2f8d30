// supervisord's web pages (index.html with ?action=&processname=, tail.html?processname=) as
// links operators bookmarked: each maps to the dashboard's view of the same thing. A redirect
// never performs the action: a GET that stopped a process would let any page an operator visits
// (an <img src>) stop it with the operator's credentials.

/** supervisord's own paths, answered with a redirect. */
export const LEGACY_PAGES = ['/index.html', '/tail.html'] as const;

/** Where a legacy link goes: `/`, or `/#/process/NAME` (the process's view, its log tail live). */
export function legacyRedirect(query: Readonly<Record<string, unknown>>): string {
  const raw = query['processname'];
  const name = typeof raw === 'string' ? raw : Array.isArray(raw) && typeof raw[0] === 'string' ? raw[0] : '';
  if (name === '') return '/';
  return `/#/process/${encodeURIComponent(name)}`;
}
