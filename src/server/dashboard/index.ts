// The web dashboard at `/`, served by the control server itself (where supervisord serves its
// page): the page and its two files from web/, the live feed at /api/v1/events (server-sent
// events), redirects from supervisord's page URLs, and the same-origin guard on every request
// that changes something. Authentication is app.ts's onRequest hook, which covers all of these.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventFeed } from '../../api/event-feed.js';
import { loadAssets, type Asset, type DashboardAssets } from './assets.js';
import { LEGACY_PAGES, legacyRedirect } from './redirects.js';
import { sameOriginAllowed } from './same-origin.js';
import { openSseStream, sseEvent, sseRetry, type SseLimits } from './sse.js';

export interface DashboardOptions {
  /** The engine's changes; without it /api/v1/events answers 404 and the page shows a static list. */
  readonly feed?: EventFeed;
  readonly onError?: (message: string) => void;
  /** For tests: shorter heartbeats, smaller backlogs. */
  readonly sseLimits?: Partial<SseLimits>;
  /** For tests: another web/ folder. */
  readonly webDir?: URL;
}

/** A page of our own, loading only its own two files, inside no one else's frame. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const DEFAULT_LIMITS: SseLimits = { maxBacklogBytes: 256 * 1024, heartbeatMs: 15_000 };
const RECONNECT_MS = 2000;

function sendAsset(request: FastifyRequest, reply: FastifyReply, file: Asset, cacheControl: string): FastifyReply {
  void reply
    .header('Content-Type', file.type)
    .header('Cache-Control', cacheControl)
    .header('ETag', file.etag)
    .header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer');
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.send(file.body);
}

export function registerDashboard(app: FastifyInstance, options: DashboardOptions): void {
  const limits: SseLimits = { ...DEFAULT_LIMITS, ...options.sseLimits };
  let assets: DashboardAssets | Error | undefined;
  const loaded = (): DashboardAssets | Error => {
    if (assets !== undefined) return assets;
    try {
      assets = loadAssets(options.webDir);
    } catch (error) {
      assets = error as Error;
      options.onError?.(`dashboard files unreadable: ${assets.message}`);
    }
    return assets;
  };
  const streams = new Set<{ stop(): void }>();

  app.addHook('onRequest', async (request, reply) => {
    if (sameOriginAllowed(request.method, request.headers.origin, request.headers.host)) return;
    await reply.code(403).type('text/plain').send('Forbidden: a cross-origin request may not change anything\n');
  });

  app.get('/', async (request, reply) => {
    const found = loaded();
    if (found instanceof Error) return reply.code(503).type('text/plain').send('The dashboard is not installed (web/ is missing)\n');
    // Revalidated each time (a daemon upgrade ships a new page); a 304 costs nothing.
    return sendAsset(request, reply, found.page, 'no-cache');
  });
  app.get<{ Params: { file: string }; Querystring: { v?: string } }>('/dashboard/:file', async (request, reply) => {
    const found = loaded();
    const file = found instanceof Error ? undefined : found.files.get(request.params.file);
    if (file === undefined) return reply.code(404).type('text/plain').send('Not Found\n');
    // The page links each file with its content hash: that URL never changes meaning.
    const cache = request.query.v === file.version ? 'private, max-age=31536000, immutable' : 'no-cache';
    return sendAsset(request, reply, file, cache);
  });
  for (const path of LEGACY_PAGES) {
    app.get<{ Querystring: Record<string, unknown> }>(path, async (request, reply) => reply.redirect(legacyRedirect(request.query), 302));
  }

  app.get('/api/v1/events', async (request, reply) => {
    const feed = options.feed;
    if (feed === undefined) return reply.code(404).send({ error: { fault: 'NO_FEED', faultCode: 0, message: 'this server has no event feed' } });
    // Hijacked like /logtail: no reply timeout or serializer applies, the stream is ours to end.
    reply.raw.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    reply.hijack();
    let unsubscribe = (): void => undefined;
    const stream = openSseStream(reply.raw, limits, () => {
      unsubscribe();
      streams.delete(stream);
    });
    streams.add(stream);
    stream.write(sseRetry(RECONNECT_MS));
    // First, so the page knows the stream is up and fetches the full list once.
    stream.write(sseEvent('hello', JSON.stringify({ at: Date.now() })));
    unsubscribe = feed.subscribe((message) => {
      // Called from the engine's flow: never throw back into it.
      try {
        stream.write(sseEvent(message.type, JSON.stringify(message)));
      } catch (error) {
        options.onError?.(`event stream write failed: ${(error as Error).message}`);
        stream.stop();
      }
    });
    // Gone already (closed while we subscribed, or ended by its first writes): let go of the feed.
    if (!streams.has(stream)) unsubscribe();
    else if (request.raw.socket.destroyed) stream.stop();
    return reply;
  });
  // Streams never end by themselves: close them so the server's close does not wait for them.
  app.addHook('preClose', (done) => {
    for (const stream of streams) stream.stop();
    done();
  });
}
