// The dashboard's live feed (GET /api/v1/events) over real sockets: the framing a browser reads,
// unsubscribing when the client goes, a client that never reads being dropped at the backlog
// bound, heartbeats, no request timeout ending a long stream, and streams ended on server close.

import Fastify, { type FastifyInstance } from 'fastify';
import { request, createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { FeedMessage } from '../src/api/event-feed.js';
import { buildServer } from '../src/server/app.js';
import { registerDashboard, type DashboardOptions } from '../src/server/dashboard/index.js';
import { FakeControlApi } from './support/fake-control-api.js';
import { FakeFeed } from './support/fake-feed.js';
import { waitUntil } from './support/wait.js';

const state = (name: string, to: string): FeedMessage => ({ type: 'state', group: name, name, from: 'RUNNING', to, pid: 0, at: 1, expected: false });

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

/** Opens the feed and collects its text; `waitFor()` waits until `pattern` has appeared. */
async function openFeed(port: number): Promise<{ res: IncomingMessage; text: () => string; waitFor(pattern: RegExp): Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/events' }, (res) => {
      let text = '';
      const waiters: (() => void)[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const w of waiters.splice(0)) w();
      });
      // Woken by each chunk that arrives; one timer for the deadline, nothing polls.
      const waitFor = async (pattern: RegExp): Promise<void> => {
        if (pattern.test(text)) return;
        await new Promise<void>((done, fail) => {
          const timer = setTimeout(() => {
            fail(new Error(`no ${String(pattern)} in ${JSON.stringify(text)}`));
          }, 5000);
          const check = (): void => {
            if (!pattern.test(text)) {
              waiters.push(check);
              return;
            }
            clearTimeout(timer);
            done();
          };
          waiters.push(check);
        });
      };
      resolve({ res, text: () => text, waitFor, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

async function eventually(what: string, check: () => boolean): Promise<void> {
  await waitUntil(() => (check() ? true : undefined), 5000, what);
}

function bareApp(options: DashboardOptions, serverOptions: { requestTimeout?: number } = {}): FastifyInstance {
  const app = Fastify({
    serverFactory: (handler) => createServer({ requestTimeout: serverOptions.requestTimeout ?? 30_000, connectionsCheckingInterval: 50 }, handler),
  });
  registerDashboard(app, options);
  onTestFinished(async () => app.close());
  return app;
}

describe('GET /api/v1/events', () => {
  it('streams retry, hello, then each message as an event; unsubscribes when the client goes', async () => {
    const feed = new FakeFeed();
    const app = buildServer({ api: new FakeControlApi(), follow: { process: () => null, main: () => null }, credentials: null, autostartNames: () => [], feed });
    onTestFinished(async () => app.close());
    const port = await listen(app);
    const client = await openFeed(port);
    expect(client.res.statusCode).toBe(200);
    expect(client.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.res.headers['cache-control']).toBe('no-cache');
    await client.waitFor(/event: hello\n/u);
    expect(client.text()).toMatch(/^retry: 2000\n\nevent: hello\ndata: \{"at":\d+\}\n\n$/u);
    expect(feed.subscribers.size).toBe(1);
    feed.emit(state('web', 'STOPPED'));
    await client.waitFor(/event: state\n/u);
    expect(client.text()).toContain(`event: state\ndata: ${JSON.stringify(state('web', 'STOPPED'))}\n\n`);
    client.close();
    await eventually('the feed to lose its subscriber', () => feed.subscribers.size === 0);
  });

  it('sends heartbeats, and no request timeout ends a stream that outlives it', async () => {
    const feed = new FakeFeed();
    const app = bareApp({ feed, sseLimits: { heartbeatMs: 100 } }, { requestTimeout: 200 });
    const port = await listen(app);
    const client = await openFeed(port);
    // The control: a request whose headers never end IS cut off by this timeout (408).
    const stalled = connect(port, '127.0.0.1');
    stalled.write('GET / HTTP/1.1\r\nHost: x\r\n');
    let stalledAnswer = '';
    stalled.on('data', (d: Buffer) => (stalledAnswer += d.toString()));
    await eventually('the stalled request to be timed out', () => stalledAnswer.includes('408'));
    await client.waitFor(/(: heartbeat\n\n[^]*){8}/u);
    // 800 ms in, four times the request timeout: still open and still told events.
    expect(client.res.destroyed).toBe(false);
    feed.emit(state('late', 'RUNNING'));
    await client.waitFor(/"name":"late"/u);
    client.close();
  });

  it('drops a client that does not read once its backlog passes the bound, and lets go of the feed', async () => {
    const feed = new FakeFeed();
    const app = bareApp({ feed, sseLimits: { maxBacklogBytes: 64 * 1024 } });
    const port = await listen(app);
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', r));
    socket.write('GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    socket.pause();
    await eventually('a subscriber', () => feed.subscribers.size === 1);
    const big = state('x'.repeat(1000), 'RUNNING');
    let sent = 0;
    // In batches across ticks, as a busy daemon would: loopback buffers take a few MB first, then
    // the server's own queue grows to the bound.
    while (feed.subscribers.size > 0 && sent < 100_000) {
      for (let i = 0; i < 20; i++) feed.emit(big);
      sent += 20;
      await new Promise((r) => setImmediate(r));
    }
    expect(feed.subscribers.size).toBe(0);
    expect(sent).toBeLessThan(100_000);
    console.log(`dashboard feed: a client that never reads was dropped after ${sent} messages of ~2 KB`);
    socket.destroy();
  });

  it('keeps a client that reads through a burst past the bound written in one tick', async () => {
    const feed = new FakeFeed();
    const app = bareApp({ feed, sseLimits: { maxBacklogBytes: 64 * 1024 } });
    const client = await openFeed(await listen(app));
    await client.waitFor(/hello/u);
    // ~210 KB in one synchronous burst: over the bound until the socket gets its turn, under 4x.
    for (let i = 0; i < 100; i++) feed.emit(state(`p${i}_${'y'.repeat(1000)}`, 'RUNNING'));
    await client.waitFor(/"name":"p99_/u);
    expect(feed.subscribers.size).toBe(1);
    expect(client.res.destroyed).toBe(false);
    client.close();
  });

  it('drops a client at once when one burst passes four times the bound', async () => {
    const feed = new FakeFeed();
    const app = bareApp({ feed, sseLimits: { maxBacklogBytes: 16 * 1024 } });
    const client = await openFeed(await listen(app));
    await client.waitFor(/hello/u);
    let sent = 0;
    while (feed.subscribers.size > 0 && sent < 1000) {
      feed.emit(state('z'.repeat(1000), 'RUNNING'));
      sent++;
    }
    expect(sent).toBeLessThan(70);
    client.close();
  });

  it('ends open streams when the server closes, so close does not wait on them', async () => {
    const feed = new FakeFeed();
    const app = Fastify();
    registerDashboard(app, { feed });
    const client = await openFeed(await listen(app));
    await client.waitFor(/hello/u);
    await app.close();
    await eventually('the stream to end', () => client.res.destroyed || client.res.complete);
    expect(feed.subscribers.size).toBe(0);
  });
});
