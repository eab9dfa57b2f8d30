// The package as an operator gets it: `npm pack`, then `npm install -g` of the tarball into a
// prefix of its own (the dependencies come from the registry), and both installed bins used from
// a folder outside the checkout: --version, a daemon with one program, tssupervisorctl status and
// shutdown. The install must not need the `prepare` build (TypeScript is a devDependency and is
// not installed): dist/ is in the tarball, and only the addon's `install` script runs.
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_JSON_VERSION, ROOT } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { startDaemon } from './support/daemon-process.js';
import { tempDir, writeTree } from './support/tmp.js';

// npm's own settings from an enclosing `npm test` (npm_config_*, npm_package_*) must not steer
// the install: only what this test says.
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/iu.test(k)) env[k] = v;
  env['PATH'] = `${dirname(process.execPath)}:${env['PATH'] ?? '/usr/bin:/bin'}`;
  env['npm_config_update_notifier'] = 'false';
  return env;
}

describe('the packed package, installed with npm install -g', () => {
  it('has dist/ and the boot files but no tests, sources or build output; installs without prepare; both bins work outside the checkout', async () => {
    const dir = tempDir();
    const env = cleanEnv();
    // --ignore-scripts: `npm pack` would run prepare (tsc into dist/) here, under the feet of the
    // tests running beside this one; npm test has built dist/ already. Stale output (a module
    // whose source is gone) would ship too, so it is checked below.
    const packStart = performance.now();
    const pack = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, env, timeout: 60_000 });
    const packMs = performance.now() - packStart;
    const [packed] = JSON.parse(pack.stdout) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
    if (packed === undefined) throw new Error(`npm pack said nothing: ${pack.stdout}`);
    const tarball = join(dir, packed.filename);
    const files = (await execa('tar', ['tzf', tarball])).stdout.split('\n').map((f) => f.replace(/^package\//u, ''));
    for (const f of ['package.json', 'README.md', 'bin/tssupervisord.js', 'bin/tssupervisorctl.js', 'dist/main/daemon.js', 'dist/main/ctl.js', 'dist/ctl.bundle.js', 'scripts/build-native.mjs', 'src/host/native/host.c',
      'packaging/tssupervisord.service', 'packaging/tssupervisord.init', 'packaging/Dockerfile', 'packaging/tssupervisord.conf']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /(^|\/)(node_modules|build|test|bench)\//u.test(f) || /\.test\.|(?<!\.d)\.ts$/u.test(f) || (f.startsWith('src/') && f !== 'src/host/native/host.c'))).toEqual([]);
    // Every compiled module has its source: nothing stale from a module since removed. The ctl's
    // bundle is made from dist/main/ctl.js (scripts/bundle-ctl.mjs).
    const bundles = new Set(['dist/ctl.bundle.js']);
    expect(files.filter((f) => f.startsWith('dist/') && f.endsWith('.js') && !bundles.has(f) && !existsSync(join(ROOT, 'src', f.slice('dist/'.length).replace(/\.js$/u, '.ts'))))).toEqual([]);
    expect(packed.size).toBeLessThan(1_000_000);
    console.log(`npm pack: ${packed.filename}, ${(packed.size / 1024).toFixed(0)} KB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KB unpacked, ${packed.entryCount} files, ${packMs.toFixed(0)} ms`);

    const prefix = join(dir, 'prefix');
    const outside = join(dir, 'elsewhere');
    mkdirSync(outside);
    const installStart = performance.now();
    const install = await execa('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--foreground-scripts', tarball], { cwd: outside, env, timeout: 100_000, all: true });
    const installMs = performance.now() - installStart;
    console.log(`npm install -g of the tarball: ${installMs.toFixed(0)} ms`);
    const installed = join(prefix, 'lib/node_modules/tssupervisor');
    // The addon's install script ran; prepare did not (and could not: no TypeScript here).
    expect(install.all).toMatch(/> tssupervisor@[^ ]+ install\n> node scripts\/build-native\.mjs/u);
    expect(install.all).toContain(`build-native: built ${installed}/build/native/host.node`);
    expect(install.all).not.toMatch(/> tssupervisor@[^ ]+ prepare/u);
    expect(existsSync(join(installed, 'node_modules/typescript'))).toBe(false);
    expect(statSync(join(installed, 'dist/main/daemon.js')).isFile()).toBe(true);
    expect(readdirSync(join(prefix, 'bin')).sort()).toEqual(['tssupervisorctl', 'tssupervisord']);

    const daemonBin = join(prefix, 'bin/tssupervisord');
    const ctlBin = join(prefix, 'bin/tssupervisorctl');
    expect((await execa(daemonBin, ['--version'], { cwd: outside, env })).stdout).toBe(`tssupervisor ${PACKAGE_JSON_VERSION} (supervisord 4.2.5 compatible)`);
    writeTree(outside, {
      'sup.conf': `${controlledDaemonHeader(outside, 'loglevel=debug')}
[program:sleeper]
command=/bin/sleep 1000
startsecs=0
`,
    });
    const d = startDaemon(['-n', '-c', 'sup.conf'], outside, `${outside}/sup.log`, { command: [daemonBin], env });
    // The installed package's own addon, built at install, spawns the children.
    await d.waitForLog(/DEBG children are spawned by the native addon/u);
    await d.waitForLog(/success: sleeper entered RUNNING state/u);
    const status = await execa(ctlBin, ['-c', 'sup.conf', 'status'], { cwd: outside, env, reject: false, timeout: 15_000 });
    expect(status.stdout).toMatch(/^sleeper +RUNNING +pid \d+, uptime /u);
    const shutdown = await execa(ctlBin, ['-c', 'sup.conf', 'shutdown'], { cwd: outside, env, reject: false, timeout: 15_000 });
    expect(shutdown.stdout).toBe('Shut down');
    expect(await d.exited()).toBe(0);
  }, 180_000);
});
