// HTTP Basic auth as supervisord checks it (http.py encrypted_dictionary_authorizer): the
// password may be stored in clear or as `{SHA}` + hex sha1 of it.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Credentials } from '../config/schema.js';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function checkBasicAuth(header: string | undefined, creds: Credentials): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/iu.exec(header ?? '');
  if (match === null) return false;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  const stored = creds.password;
  const passwordOk = stored.startsWith('{SHA}')
    ? same(createHash('sha1').update(password).digest('hex'), stored.slice(5).toLowerCase())
    : same(password, stored);
  return same(user, creds.username) && passwordOk;
}
