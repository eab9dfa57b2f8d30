#!/usr/bin/env node
// Writes a complete, independent instance of the example stack into one folder, on its own
// ports, so several copies can run side by side (the end-to-end tests do this):
//
//   node scripts/make-stack.mjs --runtime /tmp/stack1 --base-port 41000
//   node bin/tssupervisord.js -c /tmp/stack1/supervisord.conf -n
//   node bin/tssupervisorctl.js -c /tmp/stack1/supervisord.conf status
//
// --runtime (or $TSSUP_RUNTIME): the folder; everything the instance writes stays in it.
// --base-port (or $TSSUP_BASE_PORT): nine consecutive ports from it: nginx, app_8081, app_8082,
//   redisd_6380..6382, sentinel_26380..26382 (the names stay; only the ports move).  Without
//   it the instance uses the default ports, like the repo's own supervisord.conf.
// --force: also overwrite the redis/sentinel configs (they hold the topology Sentinel set).
// Prints the path of the instance's supervisord.conf.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { DEFAULT_PORTS, makeInstance, portsFromBase } from './stack-instance.mjs';

const { values } = parseArgs({
  options: { runtime: { type: 'string' }, 'base-port': { type: 'string' }, force: { type: 'boolean', default: false } },
});
const runtime = values.runtime ?? process.env.TSSUP_RUNTIME;
if (runtime === undefined || runtime === '') {
  console.error('usage: make-stack.mjs --runtime DIR [--base-port N] [--force]   (or TSSUP_RUNTIME=DIR TSSUP_BASE_PORT=N)');
  process.exit(2);
}
const base = values['base-port'] ?? process.env.TSSUP_BASE_PORT;
const ports = base === undefined || base === '' ? DEFAULT_PORTS : portsFromBase(Number(base));
const dir = makeInstance(runtime, ports, { force: values.force });
console.log(join(dir, 'supervisord.conf'));
