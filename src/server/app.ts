// The HTTP control surface on supervisord's paths: XML-RPC at /RPC2 (so the stock supervisorctl
// and other tools work), log tails at /logtail and /mainlogtail, our JSON API at /api/v1, and
// /status + /healthz for load balancers. buildServer() never listens (tests use inject()).

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { ControlApi } from '../api/control-api.js';
import type { Credentials } from '../config/schema.js';
import type { HealthStatus } from '../api/health-status.js';
import type { MetricsSnapshot, ProcessExtras } from '../api/metrics-snapshot.js';
import { SupervisorError } from '../errors.js';
import type { EventFeed } from '../api/event-feed.js';
import { checkBasicAuth } from './auth.js';
import { HTTP_LIMITS } from './http-limits.js';
import { registerDashboard } from './dashboard/index.js';
import { faultBody, registerJsonRoutes } from './json-routes.js';
import { registerMetricsRoute } from './metrics.js';
import { compileShape } from './schema-check.js';
import { encodeFault, encodeMethodResponse, parseMethodCall, XmlRpcParseError, type XmlRpcInput } from '../xmlrpc/codec.js';
import { encodeJsonFault, encodeJsonResponse, JSON_FORM, wantsJsonForm } from '../xmlrpc/json-form.js';
import { dispatch } from './xmlrpc/methods.js';

/** Byte streams of log files as they grow, for /logtail and /mainlogtail (null: no such log). */
export interface LogFollower {
  process(namespec: string, channel: 'stdout' | 'stderr', signal: AbortSignal): AsyncIterable<Buffer> | null;
  main(signal: AbortSignal): AsyncIterable<Buffer> | null;
}

export interface ServerOptions {
  readonly api: ControlApi;
  readonly follow: LogFollower;
  readonly credentials: Credentials | null;
  /** Autostart programs, for /healthz. */
  readonly autostartNames: () => readonly string[];
  /** A process's health check status (healthcheck=), null without one: the JSON API's `health`. */
  readonly healthOf?: (namespec: string) => HealthStatus | null;
  /** A process's `restarts` and `memory` in the JSON API's process entries. */
  readonly processExtras?: (namespec: string) => ProcessExtras;
  /** What GET /metrics renders (Prometheus text); no /metrics route without it. */
  readonly metrics?: () => Promise<MetricsSnapshot>;
  /** GET /metrics without the credentials (metrics_auth=false); never the default. */
  readonly metricsOpen?: boolean;
  /** Largest request body accepted; larger ones get 413 without being read into memory. */
  readonly bodyLimit?: number;
  /** Most connections served at once per socket; more are closed on arrival (default 256). */
  readonly maxConnections?: number;
  readonly onError?: (message: string) => void;
  /** The engine's state changes, streamed to the dashboard at /api/v1/events. */
  readonly feed?: EventFeed;
}

const XML = 'text/xml';

function rawText(_request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void): void {
  done(null, body);
}

async function xmlRpc(options: ServerOptions, request: FastifyRequest, reply: FastifyReply): Promise<string> {
  // Our own ctl asks for the answer in JSON (xmlrpc/json-form.ts); everyone else gets Python's XML.
  const json = wantsJsonForm(request.headers.accept);
  void reply.type(json ? JSON_FORM : XML);
  const fault = json ? encodeJsonFault : encodeFault;
  let call: ReturnType<typeof parseMethodCall>;
  try {
    call = parseMethodCall(typeof request.body === 'string' ? request.body : '');
  } catch (error) {
    if (!(error instanceof XmlRpcParseError)) throw error;
    // supervisord answers unparseable requests with 400; we also say why, as a fault.
    void reply.code(400);
    return fault(2, `INCORRECT_PARAMETERS: ${error.message}`);
  }
  try {
    const value = await dispatch(options.api, call.methodName, call.params);
    return (json ? encodeJsonResponse : encodeMethodResponse)(value as XmlRpcInput);
  } catch (error) {
    if (error instanceof SupervisorError) return fault(error.faultCode, error.faultString);
    options.onError?.(`XML-RPC ${call.methodName} failed: ${(error as Error).stack ?? String(error)}`);
    return fault(30, `FAILED: ${(error as Error).message}`);
  }
}

async function streamLog(reply: FastifyReply, request: FastifyRequest, source: (signal: AbortSignal) => AsyncIterable<Buffer> | null): Promise<void> {
  const abort = new AbortController();
  const stream = source(abort.signal);
  if (stream === null) {
    await reply.code(404).type('text/plain').send('Not Found\n');
    return;
  }
  request.raw.on('close', () => {
    abort.abort();
  });
  reply.raw.writeHead(200, { 'Content-Type': 'text/plain;charset=utf-8', 'X-Accel-Buffering': 'no', 'Cache-Control': 'no-cache' });
  // Sent now, not with the first bytes: a client tailing an empty log learns at once that it follows.
  reply.raw.flushHeaders();
  reply.hijack();
  for await (const chunk of stream) {
    if (!reply.raw.write(chunk)) await new Promise((resolve) => reply.raw.once('drain', resolve));
  }
  reply.raw.end();
}

// Fastify's types name Ajv's compiled function; what it calls is any validator with `errors`.
const SHAPE_COMPILERS = {
  buildValidator: () => ({ schema }: { schema: unknown }) => compileShape(schema),
  buildSerializer: () => () => (data: unknown) => JSON.stringify(data),
} as unknown as NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout: HTTP_LIMITS.requestTimeoutMs,
    keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
    connectionTimeout: 0,
    logger: false,
    // Route schemas are checked by schema-check.ts, not compiled by Ajv (~3 MB and tens of ms at
    // start). Bodies are checked, not converted or trimmed: a schema's `boolean` must be a JSON
    // boolean, and an unknown (misspelt) field is refused rather than silently dropped. No route
    // has a response schema, so nothing is ever serialised by a compiled serialiser.
    schemaController: { compilersFactory: SHAPE_COMPILERS },
  });
  app.server.maxConnections = options.maxConnections ?? HTTP_LIMITS.maxConnections;
  app.addContentTypeParser('*', { parseAs: 'string' }, rawText);
  if (options.credentials !== null) {
    const creds = options.credentials;
    const open = options.metricsOpen === true && options.metrics !== undefined;
    app.addHook('onRequest', async (request, reply) => {
      if (open && request.method === 'GET' && request.routeOptions.url === '/metrics') return;
      if (checkBasicAuth(request.headers.authorization, creds)) return;
      await reply.code(401).header('WWW-Authenticate', 'Basic realm="default"').type('text/plain').send('Unauthorized\n');
    });
  }
  // XML-RPC reads the body as XML whatever its Content-Type says (`application/json` included):
  // clients differ in what they send, and the answer must be XML-RPC either way.
  void app.register((rpc, _opts, done) => {
    rpc.removeAllContentTypeParsers();
    rpc.addContentTypeParser('*', { parseAs: 'string' }, rawText);
    rpc.post('/RPC2', async (request, reply) => xmlRpc(options, request, reply));
    rpc.post('/RPC2/*', async (request, reply) => xmlRpc(options, request, reply));
    done();
  });
  app.get<{ Params: { name: string; channel?: string } }>('/logtail/:name/:channel?', async (request, reply) => {
    const channel = request.params.channel ?? 'stdout';
    if (channel !== 'stdout' && channel !== 'stderr') return reply.code(404).send('Not Found\n');
    await streamLog(reply, request, (signal) => options.follow.process(request.params.name, channel, signal));
    return reply;
  });
  app.get('/mainlogtail', async (request, reply) => {
    await streamLog(reply, request, (signal) => options.follow.main(signal));
    return reply;
  });
  registerJsonRoutes(app, options.api, options.autostartNames, options.healthOf, options.processExtras);
  registerDashboard(app, options);
  if (options.metrics !== undefined) registerMetricsRoute(app, options.metrics, options.onError);
  app.setErrorHandler(async (error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
    // A body or query that fails its schema is supervisord's INCORRECT_PARAMETERS, naming the field.
    const fault = error.validation === undefined ? error : new SupervisorError('INCORRECT_PARAMETERS', error.message);
    if (fault instanceof SupervisorError) {
      await reply.code(fault.statusCode).type('application/json').send(faultBody(fault));
      return;
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) options.onError?.(`HTTP handler failed: ${error.stack ?? error.message}`);
    await reply.code(status).type('application/json').send({ error: error.message });
  });
  return app;
}
