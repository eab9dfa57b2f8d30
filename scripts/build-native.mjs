#!/usr/bin/env node
// Builds the optional native addon build/native/host.node (src/host/native/host.c) with the C
// compiler and Node's own headers: no node-gyp, no download, no Python. Run by `npm install`
// (package.json "install", so also where the package is installed from a tarball). Without a compiler or headers it prints one line and succeeds: the
// daemon then runs without the addon, warns at start when it is PID 1 (orphans not reaped),
// an [fcgi-program:x]'s spawn fails saying why (no socket), and so does a ready=notify probe.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(ROOT, 'src/host/native/host.c');
const OUT_DIR = join(ROOT, 'build/native');
const OUT = join(OUT_DIR, 'host.node');

// Where Node's headers live: next to a tarball/nvm install (<prefix>/include/node), or where
// Debian's and NodeSource's packages put them.
const includeDirs = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
];
const include = includeDirs.find((dir) => existsSync(join(dir, 'node_api.h')));
const cc = process.env.CC ?? 'cc';

function skip(why) {
  console.log(`build-native: ${why}; the optional native addon is not built (tssupervisord works without it, but as PID 1 it cannot reap orphaned grandchildren, [fcgi-program:x] sections cannot get their socket, and ready=notify cannot pass; children are then spawned by node:child_process, which costs more at scale)`);
  process.exit(0);
}

if (include === undefined) skip(`Node's headers (node_api.h) were not found in ${includeDirs.join(', ')}`);
mkdirSync(OUT_DIR, { recursive: true });
// Build to a temporary name and rename, so a daemon starting meanwhile never loads half a file.
const tmp = `${OUT}.${process.pid}.tmp`;
const result = spawnSync(cc, ['-shared', '-fPIC', '-O2', '-Wall', `-I${include}`, '-o', tmp, SOURCE], { stdio: ['ignore', 'inherit', 'inherit'] });
if (result.error !== undefined) skip(`the C compiler '${cc}' could not be run (${result.error.code ?? result.error.message}; apt-get install gcc libc6-dev)`);
if (result.status !== 0) {
  rmSync(tmp, { force: true });
  skip(`'${cc}' failed (exit ${result.status ?? result.signal}) compiling ${SOURCE}`);
}
renameSync(tmp, OUT);
// The addon's name before it also made fcgi sockets; nothing loads it any more.
rmSync(join(OUT_DIR, 'reaper.node'), { force: true });
console.log(`build-native: built ${OUT}`);
