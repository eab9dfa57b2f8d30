#!/usr/bin/env node
// After tsc: dist/ctl.bundle.js, tssupervisorctl's modules (dist/main/ctl.js and all it imports)
// in one file, which bin/tssupervisorctl.js loads. A one-shot command is mostly Node's start and
// module loading: one file instead of ~40 is ~13 ms less per command (ctl pid: 56 -> 43 ms here).
// It sits in dist/ beside dist/package-version.js, so `new URL('../package.json', import.meta.url)`
// still finds the package's manifest. Commands stay lazy: a dynamic import() becomes a function
// the bundle calls on first use. Source maps map errors back to src/.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [join(ROOT, 'dist/main/ctl.js')],
  outfile: join(ROOT, 'dist/ctl.bundle.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Every import the ctl has is our own code or Node's: a package would need its own decision.
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
