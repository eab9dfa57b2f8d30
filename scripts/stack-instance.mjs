// The example stack's runtime files, shared by prepare-runtime.mjs (the repo's own instance under
// run/, which supervisord.conf and config.d/ name) and make-stack.mjs (a complete, independent
// instance in any folder, on other ports, for tests and side-by-side copies).
//
// Everything an instance writes lives under its runtime folder:
//   supervisord.conf, config.d/*.ini   (make-stack only: copies of the repo's, ports/paths substituted)
//   nginx/nginx.conf                   (make-stack only; the repo instance reads stack/nginx/nginx.conf)
//   redis/redisd_<role>.conf           redis configs (redis rewrites them when Sentinel reconfigures it)
//   redis/<port>/                      redis data (AOF, RDB)
//   sentinel/sentinel_<role>.conf      sentinel configs (Sentinel rewrites them)
//   log/, nginx/temp/, supervisor.sock, supervisord.pid, supervisord.log
// Program and file names keep the default ports as role names (redisd_6380 is "the initial
// master" in every instance), so the same tssupervisorctl commands work on every copy.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The ports the committed configs use, by role. */
export const DEFAULT_PORTS = Object.freeze({
  nginx: 8080,
  apps: [8081, 8082],
  redis: [6380, 6381, 6382],
  sentinels: [26380, 26381, 26382],
});

/** Nine consecutive ports from `base`: nginx, the two apps, the three redis, the three sentinels. */
export function portsFromBase(base) {
  if (!Number.isInteger(base) || base < 1024 || base + 8 > 65535) throw new Error(`bad base port ${String(base)}`);
  return {
    nginx: base,
    apps: [base + 1, base + 2],
    redis: [base + 3, base + 4, base + 5],
    sentinels: [base + 6, base + 7, base + 8],
  };
}

/** Replaces every default port (a whole number, not part of a name like redisd_6380) by its counterpart. */
export function portMapper(ports) {
  const map = new Map([[DEFAULT_PORTS.nginx, ports.nginx]]);
  for (const role of ['apps', 'redis', 'sentinels']) DEFAULT_PORTS[role].forEach((p, i) => map.set(p, ports[role][i]));
  const pattern = new RegExp(`\\b(${[...map.keys()].join('|')})\\b`, 'gu');
  return (text) => text.replace(pattern, (m) => String(map.get(Number(m))));
}

/** supervisord expands %(...)s in values: a literal % in a path must be doubled. */
const supervisordLiteral = (text) => text.replaceAll('%', '%%');

function writeIfMissing(file, text) {
  if (existsSync(file)) return false;
  writeFileSync(file, text);
  return true;
}

/**
 * Creates the runtime folders and the files redis and Sentinel rewrite while they run.  Existing
 * redis/sentinel configs are kept: after a failover they hold the topology Sentinel set, and
 * resetting them would turn a stale master back into the master (delete the runtime folder, or
 * pass force, for a fresh start).  Returns the files written.
 */
export function prepareRuntime(runtime, ports = DEFAULT_PORTS, { force = false } = {}) {
  const mapPorts = portMapper(ports);
  const write = force ? (file, text) => (writeFileSync(file, text), true) : writeIfMissing;
  const written = [];
  for (const dir of ['log', 'redis', 'sentinel', 'nginx/temp', ...ports.redis.map((p) => `redis/${p}`)]) {
    mkdirSync(join(runtime, dir), { recursive: true });
  }
  for (const role of DEFAULT_PORTS.redis) {
    const file = join(runtime, 'redis', `redisd_${role}.conf`);
    const text = readFileSync(join(ROOT, 'stack', 'redis', `redisd_${role}.conf`), 'utf8');
    if (write(file, mapPorts(text))) written.push(file);
  }
  const template = readFileSync(join(ROOT, 'stack', 'redis', 'sentinel.conf.template'), 'utf8');
  for (const role of DEFAULT_PORTS.sentinels) {
    const file = join(runtime, 'sentinel', `sentinel_${role}.conf`);
    if (write(file, mapPorts(template.replaceAll('{{PORT}}', String(role))))) written.push(file);
  }
  return written;
}

/**
 * A complete instance in `runtime`: the repo's supervisord.conf and config.d/*.ini with run/ moved
 * to `runtime`, repo files (the app server) named by absolute path, and ports substituted; plus
 * nginx.conf and the runtime files of prepareRuntime.  Start it with
 * `tssupervisord -c <runtime>/supervisord.conf`.
 */
export function makeInstance(runtime, ports, { force = false } = {}) {
  const dir = resolve(runtime);
  if (/\s/u.test(ROOT)) throw new Error(`the checkout's path contains whitespace, which command= lines cannot take: ${ROOT}`);
  const mapPorts = portMapper(ports);
  const root = supervisordLiteral(ROOT);
  mkdirSync(join(dir, 'config.d'), { recursive: true });
  mkdirSync(join(dir, 'nginx'), { recursive: true });
  const top = readFileSync(join(ROOT, 'supervisord.conf'), 'utf8').replaceAll('%(here)s/run/', '%(here)s/');
  writeFileSync(join(dir, 'supervisord.conf'), mapPorts(top));
  for (const name of readdirSync(join(ROOT, 'config.d')).filter((f) => f.endsWith('.ini'))) {
    const ini = readFileSync(join(ROOT, 'config.d', name), 'utf8')
      .replaceAll('%(here)s/../run/', '%(here)s/../')
      .replaceAll('%(here)s/../stack/nginx/nginx.conf', '%(here)s/../nginx/nginx.conf')
      .replace(/%\(here\)s\/\.\.(?=\/stack\/|[ \t]*(?:;|$))/gmu, root);
    writeFileSync(join(dir, 'config.d', name), mapPorts(ini));
  }
  writeFileSync(join(dir, 'nginx', 'nginx.conf'), mapPorts(readFileSync(join(ROOT, 'stack', 'nginx', 'nginx.conf'), 'utf8')));
  prepareRuntime(dir, ports, { force });
  return dir;
}
