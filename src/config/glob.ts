// Python glob.glob for [include] files= patterns: `*`, `?` and `[...]` per path segment, names
// starting with `.` only matched by a pattern that starts with `.`, results in sorted order.
// (Node 20 has no fs.glob; this is the part of it supervisord configs use.)

import { readdirSync, statSync } from 'node:fs';
import { posix as path } from 'node:path';

const MAGIC = /[*?[]/u;

/** fnmatch.translate: a shell pattern for one path segment -> an anchored RegExp. */
export function segmentPattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        re += '\\[';
      } else {
        let body = pattern.slice(i + 1, end).replaceAll('\\', '\\\\');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/gu, '\\$&');
  }
  return new RegExp(`^${re}$`, 'su');
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Every existing path matching the absolute `pattern`, sorted. */
export function glob(pattern: string): string[] {
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let paths = [pattern.startsWith('/') ? '/' : '.'];
  for (const segment of segments.slice(pattern.startsWith('/') ? 1 : 0)) {
    if (!MAGIC.test(segment)) {
      paths = paths.map((p) => path.join(p, segment)).filter(exists);
      continue;
    }
    const re = segmentPattern(segment);
    paths = paths.filter(isDir).flatMap((dir) => {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return [];
      }
      return names
        .filter((n) => re.test(n) && (!n.startsWith('.') || segment.startsWith('.')))
        .map((n) => path.join(dir, n));
    });
  }
  return paths.sort();
}
