// `dependencies` hold exactly what src/ imports: an install of tssupervisor brings nothing that
// only tests, benchmarks or the example stack's demo app need (those are devDependencies).
// Every package the lockfile installs runs on the oldest Node our `engines` admits, so `npm ci`
// on it is clean (no EBADENGINE) and nothing we load may use a newer Node's API.

import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/bins.js';
import { nodeVersionSatisfies } from './support/node-range.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** `fastify` of `import x from 'fastify'`, `@scope/pkg` of `'@scope/pkg/sub'`; node: and relative ones left out. */
function packagesImportedBy(file: string): string[] {
  const specifiers = [...readFileSync(file, 'utf8').matchAll(/(?:^|\s)(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]/gmu)]
    .map((m) => m[1] ?? '');
  return specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/'));
}

describe('package.json dependencies', () => {
  it('are exactly the packages src/ imports (type-only imports included, as they name what the code is built on)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const imported = new Set(sourceFiles(join(ROOT, 'src')).flatMap(packagesImportedBy));
    expect([...imported].sort()).toEqual(Object.keys(pkg.dependencies ?? {}).sort());
  });
});

interface LockPackage {
  readonly version?: string;
  readonly dev?: boolean;
  readonly engines?: { readonly node?: string } | readonly string[];
}

const readJson = (name: string): unknown => JSON.parse(readFileSync(join(ROOT, name), 'utf8'));

describe('nodeVersionSatisfies', () => {
  it.each([
    ['20.19.0', '>=20.19', true], ['20.18.9', '>=20.19', false], ['20.19.0', '>= 10.x', true],
    ['20.19.0', '>=22', false], ['20.19.0', '^20.19.0 || >=22.12.0', true], ['20.19.0', '^20.20.0 || >=22', false],
    ['20.19.0', '18 || 20 || >=22', true], ['21.0.0', '20 || >=22', false], ['20.19.0', '*', true],
    ['20.19.0', '^18.18.0 || ^20.9.0 || >=21.1.0', true], ['20.19.0', '~20.18', false], ['20.18.3', '~20.18', true],
    ['20.19.0', '>=18 <20', false], ['19.9.0', '>=18 <20', true], ['0.2.5', '^0.2.3', true], ['0.3.0', '^0.2.3', false],
  ])('%s in %s: %s', (version, range, expected) => {
    expect(nodeVersionSatisfies(version, range)).toBe(expected);
  });

  it('throws on a range form it cannot read, so such a package fails the check instead of passing it', () => {
    expect(() => nodeVersionSatisfies('20.19.0', '18 - 20')).toThrow(/hyphen/u);
    expect(() => nodeVersionSatisfies('20.19.0', 'node20')).toThrow(/unsupported/u);
  });
});

describe('package-lock.json', () => {
  it('installs only packages whose engines.node admits the oldest Node ours does (dev ones too: npm ci installs them)', () => {
    const ours = (readJson('package.json') as { engines: { node: string } }).engines.node;
    const floor = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/u.exec(ours);
    if (!floor) throw new Error(`package.json engines.node '${ours}' is not a '>=X.Y' floor`);
    const oldest = `${floor[1]}.${floor[2] ?? 0}.${floor[3] ?? 0}`;
    const lock = readJson('package-lock.json') as { packages: Record<string, LockPackage> };
    const refused = Object.entries(lock.packages).flatMap(([path, p]) => {
      // The array form of engines is a long-deprecated npm feature that npm ignores.
      const range = p.engines && !Array.isArray(p.engines) ? (p.engines as { node?: string }).node : undefined;
      if (path === '' || range === undefined) return [];
      let ok: boolean;
      try {
        ok = nodeVersionSatisfies(oldest, range);
      } catch (e) {
        return [`${path}@${p.version}: ${String(e)}`];
      }
      return ok ? [] : [`${path}@${p.version}${p.dev ? ' (dev)' : ''} wants node ${range}`];
    });
    expect(refused, `not installable on node ${oldest} (pin a version with "overrides" in package.json)`).toEqual([]);
  });
});
