// The dashboard's files (the package's web/ folder: one page, one stylesheet, one script, an icon), read at
// run time relative to this module, so the same code finds them from src/ in a checkout and from
// dist/ in an installed package. Read once, on first use, and kept: they are a few KB.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  /** A strong ETag from the content, and the version the page's links carry (`?v=`). */
  readonly etag: string;
  readonly version: string;
}

export interface DashboardAssets {
  readonly page: Asset;
  /** By file name as served under /dashboard/. */
  readonly files: ReadonlyMap<string, Asset>;
}

/** src/server/dashboard/ and dist/server/dashboard/ are both three levels below the package root. */
export const WEB_DIR = new URL('../../../web/', import.meta.url);

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

function asset(body: Buffer, name: string): Asset {
  const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return { body, type: TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream', etag: `"${version}"`, version };
}

/** The files the page loads, in web/. */
export const ASSET_NAMES = ['dashboard.css', 'dashboard.js', 'favicon.svg'] as const;

/**
 * Loads web/: the page's links to its stylesheet and script get `?v=<content hash>`, so the
 * browser may keep those for good (a new version is a new URL) while the page is revalidated.
 */
export function loadAssets(dir: URL = WEB_DIR): DashboardAssets {
  const files = new Map<string, Asset>();
  let html = readFileSync(new URL('index.html', dir), 'utf8');
  for (const name of ASSET_NAMES) {
    const file = asset(readFileSync(new URL(name, dir)), name);
    files.set(name, file);
    html = html.replaceAll(`/dashboard/${name}"`, `/dashboard/${name}?v=${file.version}"`);
  }
  return { page: asset(Buffer.from(html), 'index.html'), files };
}
