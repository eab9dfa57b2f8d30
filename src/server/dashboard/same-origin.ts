// Cross-site request forgery guard. Behind basic auth a browser attaches the operator's
// credentials to any request to this host, a form POST from another site's page included (a
// text/plain form can even carry an XML-RPC body to /RPC2). Browsers send Origin on every
// cross-origin POST/PUT/DELETE; a request whose Origin is not this host is refused. Clients that
// are not browsers (supervisorctl, curl) send no Origin and are unaffected.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request may change state: a safe method, no Origin, or an Origin naming `host`. */
export function sameOriginAllowed(method: string, origin: string | undefined, host: string | undefined): boolean {
  if (SAFE_METHODS.has(method.toUpperCase()) || origin === undefined) return true;
  // `null` is what sandboxed frames, file: pages and some redirects send: never this page.
  if (origin === 'null' || host === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
