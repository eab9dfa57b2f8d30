#!/usr/bin/env node
// Creates the runtime folder the example stack writes to (logs, sockets, pid file), which
// supervisord-style configs require to exist before they are read. Safe to run repeatedly.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runtime = process.env.TSSUP_RUNTIME ?? join(root, 'run');
for (const dir of ['log', 'redis/6380', 'redis/6381', 'redis/6382', 'sentinel', 'nginx/temp']) {
  mkdirSync(join(runtime, dir), { recursive: true });
}
