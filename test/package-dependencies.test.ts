// `dependencies` hold exactly what src/ imports: an install of tssupervisor brings nothing that
// only tests, benchmarks or the example stack's demo app need (those are devDependencies).

import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/bins.js';

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
