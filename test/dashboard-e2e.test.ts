// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core, against the
// built tssupervisord serving a stack shaped like the example's (redis, a sentinel, two app servers
// in one group, nginx) made of cheap fixture programs so it starts in a second. The page must list
// the programs with their states, stop and start one by its buttons (seen in the page without a
// reload, and by the real tssupervisorctl), tail a line printed after it opened, and show nothing
// to a client without credentials. Screenshots (wide and 375 px) go to a temp folder, printed.

import { execa } from 'execa';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildServer } from '../src/server/app.js';
import { FakeControlApi } from './support/fake-control-api.js';
import { FakeFeed } from './support/fake-feed.js';
import { CTL_BIN, ROOT } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { startDaemon, until } from './support/daemon-process.js';
import { freePort } from './support/ports.js';
import { FIXTURES } from './support/supervisor-harness.js';
import { tempDir } from './support/tmp.js';
import { waitForFile } from './support/wait.js';

const USER = 'operator';
const PASSWORD = 'dash-board-pass';
const CHROMIUM = '/usr/bin/chromium';
const SAID = 'hello from app_8081 after the page opened';
const PROGRAMS = ['redisd_6380', 'sentinel_26380', 'apps:app_8081', 'apps:app_8082', 'nginx'] as const;

/** A daemon running the little stack with a unix socket (for the ctl) and a TCP server with basic auth (for the browser). */
async function stack(): Promise<{ conf: string; port: number; dir: string }> {
  const dir = tempDir();
  const port = await freePort();
  const conf = `${dir}/sup.conf`;
  const sleeper = `${process.execPath} ${FIXTURES}sleep-forever.mjs`;
  const program = (name: string, command: string, priority: number): string => `[program:${name}]
command=${command}
priority=${priority}
startsecs=0
stopwaitsecs=5
stdout_logfile=${dir}/${name}.out.log
stderr_logfile=${dir}/${name}.err.log
`;
  writeFileSync(conf, `${controlledDaemonHeader(dir)}
[inet_http_server]
port=127.0.0.1:${port}
username=${USER}
password=${PASSWORD}

${program('redisd_6380', sleeper, 100)}
${program('sentinel_26380', sleeper, 200)}
${program('app_8081', `/usr/bin/python3 ${FIXTURES}say-on-signal.py ${dir}/app_8081.ready '${SAID}\\n'`, 300)}
${program('app_8082', sleeper, 300)}
${program('nginx', sleeper, 400)}
[group:apps]
programs=app_8081,app_8082
`);
  const daemon = startDaemon(['-c', conf, '-n'], dir, `${dir}/sup.log`);
  await daemon.waitForLog(/success: nginx entered RUNNING/u);
  await waitForFile(`${dir}/app_8081.ready`, /^$/u);
  return { conf, port, dir };
}

async function ctl(conf: string, ...args: string[]): Promise<string> {
  const r = await execa(process.execPath, [CTL_BIN, '-c', conf, ...args], { reject: false, timeout: 15_000 });
  return r.stdout + r.stderr;
}

async function browser(): Promise<Browser> {
  const b = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  onTestFinished(async () => b.close());
  return b;
}

/** The row of `ns` once the page shows it in `state`. */
async function rowIn(page: Page, ns: string, state: string, timeout = 5000): Promise<void> {
  await page.locator(`tr[data-ns="${ns}"][data-state="${state}"]`).waitFor({ timeout });
}

const shots = mkdtempSync(join(tmpdir(), 'tss-dashboard-shots-'));

describe('the dashboard in Chromium', () => {
  it('lists the programs, stops and starts one live (page and ctl agree), and tails a fresh line', async () => {
    const { conf, port, dir } = await stack();
    const b = await browser();
    const context = await b.newContext({ httpCredentials: { username: USER, password: PASSWORD }, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
    await page.goto(`http://127.0.0.1:${port}/`);

    // (1) every program, with its state, and the live feed connected.
    for (const ns of PROGRAMS) await rowIn(page, ns, 'RUNNING');
    await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 5000 });
    expect(await page.locator('tr[data-ns] .state').allTextContents()).toEqual(PROGRAMS.map(() => 'RUNNING'));
    expect(await page.locator('section.group h2').allTextContents()).toContain('Group apps');
    await page.screenshot({ path: join(shots, 'list-1280.png'), fullPage: true });

    // (2) stop by its button: STOPPED in the page without a reload, and in tssupervisorctl status.
    // (The test is not compiled with the DOM's types: page code goes as strings.)
    await page.evaluate('window.marker = 1');
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Stop redisd_6380', exact: true }).click();
    await rowIn(page, 'redisd_6380', 'STOPPED');
    const shownMs = Date.now() - clicked;
    expect(await page.evaluate('window.marker')).toBe(1);
    expect(await ctl(conf, 'status', 'redisd_6380')).toMatch(/^redisd_6380 +STOPPED /mu);
    console.log(`dashboard: stop clicked -> STOPPED shown in ${shownMs} ms`);

    // (3) start it again.
    await page.getByRole('button', { name: 'Start redisd_6380', exact: true }).click();
    await rowIn(page, 'redisd_6380', 'RUNNING');
    expect(await ctl(conf, 'status', 'redisd_6380')).toMatch(/^redisd_6380 +RUNNING +pid \d+/mu);
    // Its refetched entry carries the new pid (one GET per event, not a reload).
    const pid = Number(/pid (\d+)/u.exec(await ctl(conf, 'status', 'redisd_6380'))?.[1]);
    await page.locator('tr[data-ns="redisd_6380"] td[data-label="PID"]', { hasText: String(pid) }).waitFor({ timeout: 5000 });

    // By keyboard: Tab through the page to the button, Enter presses it.
    const focused = async (): Promise<unknown> => page.evaluate('document.activeElement?.getAttribute("aria-label")');
    let tabs = 0;
    while ((await focused()) !== 'Stop sentinel_26380' && tabs < 60) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    expect(await focused()).toBe('Stop sentinel_26380');
    await page.keyboard.press('Enter');
    await rowIn(page, 'sentinel_26380', 'STOPPED');
    await page.getByRole('button', { name: 'Start sentinel_26380', exact: true }).focus();
    await page.keyboard.press('Enter');
    await rowIn(page, 'sentinel_26380', 'RUNNING');

    // A group's buttons act on all its processes.
    await page.getByRole('button', { name: 'Stop all group apps', exact: true }).click();
    await rowIn(page, 'apps:app_8082', 'STOPPED');
    await rowIn(page, 'apps:app_8081', 'STOPPED');
    expect(await ctl(conf, 'status', 'apps:*')).toMatch(/^apps:app_8081 +STOPPED [^]*^apps:app_8082 +STOPPED /mu);
    // The fixture makes this file once its SIGUSR1 handler is in: gone now, made again by the next one.
    rmSync(`${dir}/app_8081.ready`);
    await page.getByRole('button', { name: 'Start all group apps', exact: true }).click();
    await rowIn(page, 'apps:app_8081', 'RUNNING');
    await rowIn(page, 'apps:app_8082', 'RUNNING');
    await waitForFile(`${dir}/app_8081.ready`, /^$/u);

    // (4) the process view tails stdout: a line printed after it opened shows up.
    await page.getByRole('link', { name: 'apps:app_8081', exact: true }).click();
    await page.locator('#tail-state', { hasText: 'following' }).waitFor({ timeout: 5000 });
    expect(await page.locator('#tail').textContent()).not.toContain(SAID);
    const appPid = Number(/pid (\d+)/u.exec(await ctl(conf, 'status', 'apps:app_8081'))?.[1]);
    process.kill(appPid, 'SIGUSR1');
    await page.locator('#tail', { hasText: SAID }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(shots, 'process-1280.png'), fullPage: true });

    // The stopped one's history shows its end.
    await page.goto(`http://127.0.0.1:${port}/#/process/redisd_6380`);
    await page.locator('#history tbody tr').first().waitFor({ timeout: 5000 });
    expect(await page.locator('#history tbody tr').first().textContent()).toContain('stopped');
    await page.screenshot({ path: join(shots, 'history-1280.png'), fullPage: true });

    // supervisord's own link: a redirect to the process view, and nothing stopped.
    await page.goto(`http://127.0.0.1:${port}/index.html?action=stop&processname=nginx`);
    expect(new URL(page.url()).hash).toBe('#/process/nginx');
    await page.locator('#detail[data-state="RUNNING"]').waitFor({ timeout: 5000 });
    expect(await ctl(conf, 'status', 'nginx')).toMatch(/^nginx +RUNNING /mu);

    // A phone-sized screen: the list as cards, the process view.
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 375, height: 812 });
    await phone.goto(`http://127.0.0.1:${port}/`);
    for (const ns of PROGRAMS) await rowIn(phone, ns, 'RUNNING');
    const width = await phone.evaluate('document.documentElement.scrollWidth');
    await phone.screenshot({ path: join(shots, 'list-375.png'), fullPage: true });
    await phone.goto(`http://127.0.0.1:${port}/#/process/apps:app_8081`);
    await phone.locator('#tail', { hasText: SAID }).waitFor({ timeout: 5000 });
    await phone.screenshot({ path: join(shots, 'process-375.png'), fullPage: true });
    expect(width).toBeLessThanOrEqual(375);
    console.log(`dashboard screenshots: ${shots}`);
    expect(problems).toEqual([]);
  }, 60_000);

  it('gives a client without credentials 401 and no page, file or feed; with them the page works', async () => {
    const { port } = await stack();
    const base = `http://127.0.0.1:${port}`;
    for (const path of ['/', '/dashboard/dashboard.js', '/dashboard/dashboard.css', '/api/v1/events']) {
      const res = await fetch(base + path);
      const body = await res.text();
      expect(res.status, path).toBe(401);
      expect(body, path).toBe('Unauthorized\n');
    }
    const b = await browser();
    // Chromium, with no credentials to offer, either shows the 401 or ends the navigation with
    // ERR_INVALID_AUTH_CREDENTIALS: both are a refusal; what matters is that no page is shown.
    for (const credentials of [undefined, { username: USER, password: 'wrong' }]) {
      const refused = await (await b.newContext(credentials === undefined ? {} : { httpCredentials: credentials })).newPage();
      const answer = await refused.goto(`${base}/`).catch((error: unknown) => error as Error);
      if (answer instanceof Error) expect(answer.message).toMatch(/ERR_INVALID_AUTH_CREDENTIALS/u);
      else expect(answer?.status()).toBe(401);
      expect(await refused.locator('#list').count()).toBe(0);
      expect(await refused.content()).not.toContain('dashboard');
    }
    const allowed = await (await b.newContext({ httpCredentials: { username: USER, password: PASSWORD } })).newPage();
    expect((await allowed.goto(`${base}/`))?.status()).toBe(200);
    await rowIn(allowed, 'nginx', 'RUNNING');
    await allowed.locator('#live.on', { hasText: 'live' }).waitFor({ timeout: 5000 });
  }, 60_000);

  it("refuses another site's form POST though the browser attaches the operator's credentials", async () => {
    const { conf, port } = await stack();
    // The attacker's page, on another origin, posts a form to the dashboard's server on load.
    const target = `http://127.0.0.1:${port}/api/v1/processes/nginx/stop`;
    const evil = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<form method="POST" action="${target}" enctype="text/plain"><input name="x" value="y"></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => evil.close(() => { resolve(); })));
    const b = await browser();
    const page = await (await b.newContext({ httpCredentials: { username: USER, password: PASSWORD } })).newPage();
    const answers: number[] = [];
    page.on('response', (r) => { if (r.url() === target) answers.push(r.status()); });
    await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
    await until('the form POST to be answered', () => answers.at(-1));
    // 403, not 401: the request passed basic auth (the browser did attach the credentials), and
    // was refused for its Origin.
    expect(answers).toEqual([403]);
    expect(await ctl(conf, 'status', 'nginx')).toMatch(/^nginx +RUNNING /mu);
  }, 60_000);

  it('is served from an installed package: the files npm ships, started from there', async () => {
    const listing = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, timeout: 30_000 });
    const shipped = (JSON.parse(listing.stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    expect(shipped).toEqual(expect.arrayContaining(['web/index.html', 'web/dashboard.js', 'web/dashboard.css', 'dist/server/dashboard/assets.js']));
    const pkg = tempDir();
    for (const file of shipped) {
      mkdirSync(dirname(join(pkg, file)), { recursive: true });
      cpSync(join(ROOT, file), join(pkg, file));
    }
    // What `npm install` adds: the dependencies and the native addon its install script builds.
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    cpSync(join(ROOT, 'build'), join(pkg, 'build'), { recursive: true });
    const dir = tempDir();
    writeFileSync(`${dir}/sup.conf`, `${controlledDaemonHeader(dir)}\n[program:web]\ncommand=${process.execPath} ${FIXTURES}sleep-forever.mjs\nstartsecs=0\n`);
    const daemon = startDaemon(['-c', `${dir}/sup.conf`, '-n'], dir, `${dir}/sup.log`, { bin: join(pkg, 'bin/tssupervisord.js') });
    await daemon.waitForLog(/success: web entered RUNNING/u);
    const get = async (path: string): Promise<{ status: number; type: string; body: string }> => new Promise((resolve, reject) => {
      request({ socketPath: `${dir}/s.sock`, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }); });
      }).on('error', reject).end();
    });
    const page = await get('/');
    expect([page.status, page.type]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.body).toContain('<title>tssupervisor</title>');
    const script = await get('/dashboard/dashboard.js');
    expect([script.status, script.type]).toEqual([200, 'text/javascript; charset=utf-8']);
  }, 60_000);

  it('shows restarts, memory and health when the API has them, and puts every string in as text', async () => {
    // The daemon's HTTP surface on a fake engine: the counters' fields come through processExtras, and strings
    // a program controls (its spawn error, a health check's reason) are HTML.
    const hostile = '<img src=x onerror="window.pwned=1">';
    const api = new FakeControlApi();
    const cron = api.processes.find((p) => p.name === 'cron');
    if (cron !== undefined) cron.spawnerr = hostile;
    const feed = new FakeFeed();
    const app = buildServer({
      api, follow: { process: () => null, main: () => null }, credentials: null, autostartNames: () => [], feed,
      processExtras: (ns) => ({ restarts: 2, memory: ns === 'web' ? 12.5 * 1024 * 1024 : null }),
      healthOf: (ns) => (ns === 'web' ? { state: 'unhealthy', failures: 2, retries: 3, lastError: hostile, lastCheckAt: 1 } : null),
    });
    onTestFinished(async () => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const page = await (await (await browser()).newContext()).newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await rowIn(page, 'web', 'RUNNING');
    const cell = (ns: string, label: string): ReturnType<Page['locator']> => page.locator(`tr[data-ns="${ns}"] td[data-label="${label}"]`);
    expect(await cell('web', 'Restarts').textContent()).toBe('2');
    expect(await cell('web', 'Memory').textContent()).toBe('12.5 MiB');
    expect(await cell('workers:worker_0', 'Memory').textContent()).toBe('–');
    expect(await cell('web', 'Health').textContent()).toBe('unhealthy 2/3');
    expect(await cell('web', 'Health').getAttribute('title')).toBe(hostile);
    expect(await cell('cron', 'Description').textContent()).toBe(hostile);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    // A state change from the feed shows without a reload, and the entry is refetched.
    await until('the page to subscribe', () => (feed.subscribers.size === 1 ? true : undefined));
    api.setState('web', 'STOPPED');
    feed.emit({ type: 'state', group: 'web', name: 'web', from: 'RUNNING', to: 'STOPPED', pid: 0, at: Date.now(), expected: false });
    await rowIn(page, 'web', 'STOPPED');
    await page.locator('tr[data-ns="web"] td[data-label="PID"]', { hasText: '–' }).waitFor({ timeout: 5000 });
    expect(api.calls.filter((c) => c.method === 'getProcessInfo').map((c) => c.args[0])).toEqual(['web']);
  }, 60_000);
});
