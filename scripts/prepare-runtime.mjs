#!/usr/bin/env node
// Prepares run/, the runtime folder of the repo's own stack (supervisord.conf + config.d/), which
// must exist before supervisord reads the configs: log, data and temp folders, and the redis and
// Sentinel configs they rewrite while running (copied from stack/redis/ once; kept afterwards,
// since after a failover they hold the topology Sentinel set -- `rm -rf run` starts afresh).
// `npm start` and `npm run check` run this first.  Safe to run repeatedly.
//
// For another folder or other ports (tests, copies side by side), use scripts/make-stack.mjs.
import { join } from 'node:path';
import { ROOT, prepareRuntime } from './stack-instance.mjs';

const runtime = join(ROOT, 'run');
if (process.env.TSSUP_RUNTIME !== undefined && process.env.TSSUP_RUNTIME !== runtime) {
  console.error(`note: supervisord.conf always uses ${runtime}; for a stack in $TSSUP_RUNTIME run `
    + 'node scripts/make-stack.mjs and start tssupervisord with the supervisord.conf it prints');
}
for (const file of prepareRuntime(runtime)) console.error(`prepare-runtime: wrote ${file}`);
