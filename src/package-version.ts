// tssupervisor's own version, read from the package.json that ships beside dist/ (and beside src/
// in a checkout): one source of truth, so a release bump never needs a second edit in the code.

import { readFileSync } from 'node:fs';

/** The `version` of a package.json's text; throws a clear error for anything else. */
export function versionOfManifest(text: string): string {
  const manifest: unknown = JSON.parse(text);
  const version = typeof manifest === 'object' && manifest !== null ? (manifest as { version?: unknown }).version : undefined;
  if (typeof version !== 'string' || version === '') throw new Error('package.json has no version string');
  return version;
}

/** Read on demand (only `--version` and `version` need it), from the installed package's root. */
export function packageVersion(): string {
  return versionOfManifest(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
}
