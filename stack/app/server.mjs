#!/usr/bin/env node
// The example stack's app server: a small tomcat-like HTTP server (it takes a while before it
// accepts connections) whose sessions live in redis, found through the sentinels, so every app
// server sees every session and they all follow a failover.
//
//   node stack/app/server.mjs --port 8081
//
// Routes:
//   POST /login   user=<name> (form) or {"user": "<name>"} (JSON): new session, cookie SID
//   GET  /        who is logged in, and which server answered (also the X-Server header)
//   POST /logout  ends the session
//   GET  /healthz 200 when redis answers, 503 when it does not (ready: it can serve sessions)
//   GET  /livez   200 while the server works at all (health: restart it if this fails)
// Answers are text, or JSON when the request's Accept header asks for application/json.
//
// Environment (config.d/app_*.ini sets it):
//   APP_STARTUP_MS       delay before listening (default 2000, like a servlet container booting)
//   REDIS_SENTINELS      host:port,host:port,... (default 127.0.0.1:26380,127.0.0.1:26381,127.0.0.1:26382)
//   REDIS_MASTER_NAME    the sentinels' name for the master (default mymaster)
//   REDIS_PASSWORD       requirepass of the redis nodes
//   SENTINEL_PASSWORD    requirepass of the sentinels, if they have one (the example's do not)
//   SUPERVISOR_PROCESS_NAME  set by the supervisor; the server's name (default app_<port>)

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';

const { values: args } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } } });
const port = Number(args.port ?? process.env.APP_PORT ?? 8081);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`bad --port ${String(args.port)}`);
  process.exit(2);
}
const host = args.host;
const serverName = process.env.SUPERVISOR_PROCESS_NAME ?? `app_${port}`;
const startupMs = Number(process.env.APP_STARTUP_MS ?? 2000);
const SESSION_TTL_S = 3600;
const REDIS_TIMEOUT_MS = 2000;

const log = (message) => console.log(`${new Date().toISOString()} ${serverName} ${message}`);

const sentinels = (process.env.REDIS_SENTINELS ?? '127.0.0.1:26380,127.0.0.1:26381,127.0.0.1:26382')
  .split(',').filter(Boolean).map((address) => {
    const at = address.lastIndexOf(':');
    return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
  });

const redis = new Redis({
  sentinels,
  name: process.env.REDIS_MASTER_NAME ?? 'mymaster',
  password: process.env.REDIS_PASSWORD || undefined,
  sentinelPassword: process.env.SENTINEL_PASSWORD || undefined,
  // Follow a failover quickly: retry the master often (it may be restarting, or be replaced), ask
  // the sentinels again each time, and reconnect when a demoted master refuses writes.
  retryStrategy: (times) => Math.min(times * 100, 1000),
  sentinelRetryStrategy: (times) => Math.min(times * 100, 1000),
  reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
  failoverDetector: true,
  // A request waits at most this long for redis, then gets a 503 instead of hanging.
  commandTimeout: REDIS_TIMEOUT_MS,
  maxRetriesPerRequest: 3,
});

let lastRedisError = '';
redis.on('error', (error) => {
  // Logged once per distinct message: ioredis reports every retry while redis is away.
  if (error.message !== lastRedisError) log(`redis: ${error.message}`);
  lastRedisError = error.message;
});
redis.on('ready', () => {
  lastRedisError = '';
  log(`redis: ready (master ${String(redis.stream?.remoteAddress)}:${String(redis.stream?.remotePort)})`);
});
redis.on('+switch-master', () => log('redis: sentinels switched master'));

const sessionKey = (id) => `session:${id}`;

function cookies(req) {
  const jar = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return jar;
}

async function readBody(req, limit = 16 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function userFromBody(req) {
  const text = await readBody(req);
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    try {
      return String(JSON.parse(text).user ?? '');
    } catch {
      return '';
    }
  }
  return new URLSearchParams(text).get('user') ?? '';
}

function send(req, res, status, data, headers = {}) {
  const json = (req.headers.accept ?? '').includes('application/json');
  const body = json
    ? `${JSON.stringify({ ...data, server: serverName })}\n`
    : `${data.message} (served by ${serverName})\n`;
  res.writeHead(status, {
    'Content-Type': json ? 'application/json' : 'text/plain; charset=utf-8',
    'X-Server': serverName,
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

const validSid = (sid) => typeof sid === 'string' && /^[0-9a-f]{32}$/u.test(sid);

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = `${req.method} ${url.pathname}`;
  const sid = cookies(req).SID;
  switch (route) {
    case 'GET /livez':
      return send(req, res, 200, { ok: true, message: 'alive' });
    case 'GET /healthz': {
      await redis.ping();
      return send(req, res, 200, { ok: true, message: 'ok' });
    }
    case 'POST /login': {
      const user = (await userFromBody(req)).trim();
      if (user === '' || user.length > 64) return send(req, res, 400, { error: 'user required', message: 'user= is required (at most 64 characters)' });
      const id = randomBytes(16).toString('hex');
      await redis.set(sessionKey(id), JSON.stringify({ user, created: Date.now(), by: serverName }), 'EX', SESSION_TTL_S);
      return send(req, res, 200, { user, message: `logged in as ${user}` }, {
        'Set-Cookie': `SID=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_S}`,
      });
    }
    case 'POST /logout': {
      if (validSid(sid)) await redis.del(sessionKey(sid));
      return send(req, res, 200, { user: null, message: 'logged out' }, { 'Set-Cookie': 'SID=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0' });
    }
    case 'GET /': {
      const stored = validSid(sid) ? await redis.get(sessionKey(sid)) : null;
      const user = stored === null ? null : JSON.parse(stored).user;
      return send(req, res, 200, { user, message: user === null ? 'not logged in' : `hello ${user}` });
    }
    default:
      return send(req, res, 404, { error: 'not found', message: `no route ${route}` });
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    // Redis away (failover, restart): answer 503 so nginx can try the other server; never crash.
    const status = error.status ?? 503;
    if (status === 503) log(`503 for ${req.method} ${req.url}: ${error.message}`);
    if (!res.headersSent) send(req, res, status, { error: error.message, message: `unavailable: ${error.message}` });
    else res.destroy();
  });
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: closing`);
  const force = setTimeout(() => process.exit(0), 5000);
  force.unref();
  server.close();
  server.closeIdleConnections();
  redis.quit().catch(() => redis.disconnect()).finally(() => {
    log('bye');
    process.exit(0);
  });
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

log(`starting, will listen on ${host}:${port} in ${startupMs} ms`);
setTimeout(() => {
  if (stopping) return;
  server.listen(port, host, () => log(`listening on http://${host}:${port}`));
}, startupMs);
server.on('error', (error) => {
  log(`cannot listen: ${error.message}`);
  process.exit(1);
});
