// The dashboard's routes through buildServer with inject(): the page, its files, redirects, auth
// and the same-origin guard. The live feed over real sockets is test/dashboard-events.test.ts.

import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FakeControlApi } from '../../../test/support/fake-control-api.js';
import { FakeFeed } from '../../../test/support/fake-feed.js';
import type { Credentials } from '../../config/schema.js';
import { buildServer } from '../app.js';
import { CONTENT_SECURITY_POLICY, registerDashboard } from './index.js';

const CREDS: Credentials = { username: 'admin', password: 'sekrit' };
const AUTH = `Basic ${Buffer.from('admin:sekrit').toString('base64')}`;

function setup(credentials: Credentials | null = null): { app: FastifyInstance; api: FakeControlApi; feed: FakeFeed } {
  const api = new FakeControlApi();
  const feed = new FakeFeed();
  const app = buildServer({ api, follow: { process: () => null, main: () => null }, credentials, autostartNames: () => [], feed });
  onTestFinished(async () => app.close());
  return { app, api, feed };
}

describe('the page and its files', () => {
  it('serves / as HTML with a strict CSP, revalidated each time, 304 when unchanged', async () => {
    const { app } = setup();
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'self';/u);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toMatch(/<script type="module" src="\/dashboard\/dashboard\.js\?v=[0-9a-f]{16}"><\/script>/u);
    expect(res.body).toMatch(/href="\/dashboard\/dashboard\.css\?v=[0-9a-f]{16}"/u);
    // Nothing from anywhere else: no CDN, no external request.
    expect(res.body).not.toMatch(/(src|href)="(https?:)?\/\//u);
    const again = await app.inject({ url: '/', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves the script and stylesheet with their types; the versioned URL is cacheable for good', async () => {
    const { app } = setup();
    const page = (await app.inject({ url: '/' })).body;
    const js = /src="(\/dashboard\/dashboard\.js\?v=[0-9a-f]+)"/u.exec(page)?.[1] ?? '';
    const versioned = await app.inject({ url: js });
    expect(versioned.statusCode).toBe(200);
    expect(versioned.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(versioned.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(versioned.body).toContain('EventSource');
    const bare = await app.inject({ url: '/dashboard/dashboard.css' });
    expect(bare.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(bare.headers['cache-control']).toBe('no-cache');
    expect((await app.inject({ url: '/dashboard/nope.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/dashboard/..%2Findex.html' })).statusCode).toBe(404);
  });

  it('is small and builds the DOM without innerHTML', async () => {
    const { app } = setup();
    const sizes = await Promise.all(['/', '/dashboard/dashboard.js', '/dashboard/dashboard.css'].map(async (url) => (await app.inject({ url })).rawPayload.length));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(30 * 1024);
    expect((await app.inject({ url: '/dashboard/dashboard.js' })).body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/u);
  });

  it('answers 503, not a crash, when web/ is missing', async () => {
    const app = Fastify();
    const errors: string[] = [];
    registerDashboard(app, { webDir: new URL('file:///nonexistent/web/'), onError: (m) => errors.push(m) });
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(errors.join()).toMatch(/dashboard files unreadable/u);
  });
});

describe("supervisord's page URLs", () => {
  it('redirect to the dashboard and never act on a GET', async () => {
    const { app, api } = setup();
    const stop = await app.inject({ url: '/index.html?action=stop&processname=web' });
    expect(stop.statusCode).toBe(302);
    expect(stop.headers.location).toBe('/#/process/web');
    expect((await app.inject({ url: '/index.html?action=stopall' })).headers.location).toBe('/');
    expect((await app.inject({ url: '/index.html' })).headers.location).toBe('/');
    expect((await app.inject({ url: '/tail.html?processname=workers:worker_1' })).headers.location).toBe('/#/process/workers%3Aworker_1');
    expect(api.calls.map((c) => c.method)).toEqual([]);
  });
});

describe('behind basic auth', () => {
  it('answers 401 and no dashboard for the page, a file, the feed and the redirects', async () => {
    const { app, feed } = setup(CREDS);
    for (const url of ['/', '/dashboard/dashboard.js', '/dashboard/dashboard.css', '/api/v1/events', '/index.html?processname=web']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="default"');
      expect(res.body).toBe('Unauthorized\n');
    }
    expect(feed.subscribers.size).toBe(0);
    const ok = await app.inject({ url: '/', headers: { authorization: AUTH } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('<title>tssupervisor</title>');
  });
});

describe('the same-origin guard', () => {
  it('refuses a state change from another origin (JSON and XML-RPC) and performs nothing', async () => {
    const { app, api } = setup(CREDS);
    const headers = { authorization: AUTH, host: '127.0.0.1:9001' };
    const forged = await app.inject({ method: 'POST', url: '/api/v1/processes/web/stop', headers: { ...headers, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(forged.statusCode).toBe(403);
    const rpc = await app.inject({ method: 'POST', url: '/RPC2', headers: { ...headers, origin: 'null', 'content-type': 'text/plain' }, payload: '<methodCall><methodName>supervisor.stopAllProcesses</methodName></methodCall>' });
    expect(rpc.statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/processes/web/logs', headers: { ...headers, origin: 'http://127.0.0.1:9002' } })).statusCode).toBe(403);
    expect(api.calls.map((c) => c.method)).toEqual([]);
  });

  it("lets the page's own requests and clients without Origin through", async () => {
    const { app, api } = setup(CREDS);
    const own = await app.inject({ method: 'POST', url: '/api/v1/processes/web/stop', headers: { authorization: AUTH, host: '127.0.0.1:9001', origin: 'http://127.0.0.1:9001', 'content-type': 'application/json' }, payload: '{"wait":false}' });
    expect(own.statusCode).toBe(200);
    const ctl = await app.inject({ method: 'POST', url: '/RPC2', headers: { authorization: AUTH, 'content-type': 'text/xml' }, payload: '<methodCall><methodName>supervisor.getPID</methodName></methodCall>' });
    expect(ctl.statusCode).toBe(200);
    expect(api.calls.map((c) => c.method)).toEqual(['stopProcess', 'getPID']);
  });
});

describe('GET /api/v1/events without a feed', () => {
  it('is 404', async () => {
    const app = Fastify();
    registerDashboard(app, {});
    expect((await app.inject({ url: '/api/v1/events' })).statusCode).toBe(404);
  });
});
