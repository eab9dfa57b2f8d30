// The JSON API: the same ControlApi as XML-RPC, as REST-style routes for the common operations and
// one generic route for everything (`POST /api/v1/call/<method>` with `{"params": [...]}`), plus
// /status and /healthz for load balancers and orchestrators.

import type { FastifyInstance, FastifyReply, RouteShorthandOptions } from 'fastify';
import type { ControlApi, ProcessInfo } from '../api/control-api.js';
import { makeNamespec } from '../api/namespec.js';
import { SupervisorError } from '../errors.js';
import type { HealthStatus } from '../api/health-status.js';
import type { ProcessExtras } from '../api/metrics-snapshot.js';
import type { XmlRpcValue } from '../xmlrpc/codec.js';
import { dispatch } from './xmlrpc/methods.js';

/** The JSON API's error body for a fault. */
export function faultBody(error: SupervisorError): { error: { fault: string; faultCode: number; message: string } } {
  return { error: { fault: error.fault, faultCode: error.faultCode, message: error.faultString } };
}

async function answer(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof SupervisorError)) throw error;
    return reply.code(error.statusCode).send(faultBody(error));
  }
}

interface NameParams { name: string }
interface WaitBody { wait?: boolean }

// Every body and query string is checked against a schema before a handler runs, so a wrong shape
// (`{"signal": []}`, `true`, `[1]`, `?offset=x`) is a 400 naming the field, never a TypeError and a
// 500 deeper down. Bodies of start, stop and call are optional: no body means the defaults. Ajv's
// coercion and removal of unknown fields are off (see app.ts), so `{"wait": "no"}` and a misspelt
// `{"wiat": false}` are refused rather than read as true or ignored.
export const waitBody = { type: 'object', properties: { wait: { type: 'boolean' } }, additionalProperties: false } as const;
export const signalBody = {
  type: 'object',
  properties: { signal: { anyOf: [{ type: 'string', minLength: 1, maxLength: 64 }, { type: 'integer' }] } },
  required: ['signal'],
  additionalProperties: false,
} as const;
export const callBody = { type: 'object', properties: { params: { type: 'array', maxItems: 1024 } }, additionalProperties: false } as const;
/** Routes whose body is optional: no body at all is validated as `{}` (the defaults). */
function optionalBody(schema: object): RouteShorthandOptions {
  return {
    schema: { body: schema },
    preValidation: (request, _reply, done) => {
      if (request.body === undefined) request.body = {};
      done();
    },
  };
}
const int = { type: 'string', pattern: '^-?[0-9]{1,15}$' } as const;
export const logQuery = { type: 'object', properties: { offset: int, length: int }, additionalProperties: false } as const;

/** Without the engine's figures (a server built for tests): no restarts counted, no memory read. */
const NO_EXTRAS = (): ProcessExtras => ({ restarts: 0, memory: null });

export function registerJsonRoutes(
  app: FastifyInstance, api: ControlApi, autostartNames: () => readonly string[], healthOf: (namespec: string) => HealthStatus | null = () => null,
  extrasOf: (namespec: string) => ProcessExtras = NO_EXTRAS,
): void {
  const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
  // JSON has null, XML-RPC does not: `health`, `restarts` and `memory` are the JSON API's alone
  // (getProcessInfo is supervisord's struct).
  const withHealth = (p: ProcessInfo): ProcessInfo & { health: HealthStatus | null } & ProcessExtras => {
    const namespec = makeNamespec(p.group, p.name);
    return { ...p, health: healthOf(namespec), ...extrasOf(namespec) };
  };

  app.get('/status', async (_req, reply) => answer(reply, async () => {
    const [state, processes] = await Promise.all([api.getState(), api.getAllProcessInfo()]);
    return {
      state: state.statename,
      pid: await api.getPID(),
      processes: processes.map((p) => ({
        name: p.group === p.name ? p.name : `${p.group}:${p.name}`, group: p.group, state: p.statename, pid: p.pid,
        uptime: p.statename === 'RUNNING' ? p.now - p.start : 0, exitstatus: p.exitstatus, description: p.description,
        health: healthOf(makeNamespec(p.group, p.name)),
      })),
    };
  }));

  app.get('/healthz', async (_req, reply) => answer(reply, async () => {
    const wanted = new Set(autostartNames());
    const processes = await api.getAllProcessInfo();
    const notRunning = processes
      .map((p) => ({ name: p.group === p.name ? p.name : `${p.group}:${p.name}`, state: p.statename }))
      .filter((p) => wanted.has(p.name) && p.state !== 'RUNNING');
    return reply.code(notRunning.length === 0 ? 200 : 503).send({ ok: notRunning.length === 0, notRunning });
  }));

  app.get('/api/v1/state', async (_req, reply) => answer(reply, () => api.getState()));
  app.get('/api/v1/processes', async (_req, reply) => answer(reply, async () => (await api.getAllProcessInfo()).map(withHealth)));
  app.get('/api/v1/config', async (_req, reply) => answer(reply, () => api.getAllConfigInfo()));
  app.get<{ Params: NameParams }>('/api/v1/processes/:name', async (req, reply) => answer(reply, async () => withHealth(await api.getProcessInfo(req.params.name))));
  app.get<{ Params: NameParams }>('/api/v1/processes/:name/history', async (req, reply) => answer(reply, () => api.getProcessHistory(req.params.name)));
  app.post<{ Params: NameParams; Body: WaitBody | undefined }>('/api/v1/processes/:name/start', optionalBody(waitBody), async (req, reply) =>
    answer(reply, () => api.startProcess(req.params.name, bool(req.body?.wait, true))));
  app.post<{ Params: NameParams; Body: WaitBody | undefined }>('/api/v1/processes/:name/stop', optionalBody(waitBody), async (req, reply) =>
    answer(reply, () => api.stopProcess(req.params.name, bool(req.body?.wait, true))));
  // A signal is a name ('HUP') or a number (1), as over XML-RPC.
  app.post<{ Params: NameParams; Body: { signal: string | number } }>('/api/v1/processes/:name/signal', { schema: { body: signalBody } }, async (req, reply) =>
    answer(reply, () => api.signalProcess(req.params.name, String(req.body.signal))));
  app.get<{ Params: NameParams & { channel: string }; Querystring: { offset?: string; length?: string } }>(
    '/api/v1/processes/:name/logs/:channel', { schema: { querystring: logQuery } }, async (req, reply) => answer(reply, () => {
      const offset = Number(req.query.offset ?? -1600);
      const length = Number(req.query.length ?? 0);
      const { name, channel } = req.params;
      // Wrapped, so the answer is JSON like every other route (a bare string would go as text).
      if (channel === 'stdout') return api.readProcessStdoutLog(name, offset, length).then((text) => ({ text }));
      if (channel === 'stderr') return api.readProcessStderrLog(name, offset, length).then((text) => ({ text }));
      throw new SupervisorError('BAD_ARGUMENTS', `channel ${channel}`);
    }));
  app.delete<{ Params: NameParams }>('/api/v1/processes/:name/logs', async (req, reply) => answer(reply, () => api.clearProcessLogs(req.params.name)));
  app.post<{ Params: NameParams }>('/api/v1/groups/:name', async (req, reply) => answer(reply, () => api.addProcessGroup(req.params.name)));
  app.delete<{ Params: NameParams }>('/api/v1/groups/:name', async (req, reply) => answer(reply, () => api.removeProcessGroup(req.params.name)));
  app.post('/api/v1/reload', async (_req, reply) => answer(reply, () => api.reloadConfig()));
  app.post('/api/v1/shutdown', async (_req, reply) => answer(reply, () => api.shutdown()));
  app.post('/api/v1/restart', async (_req, reply) => answer(reply, () => api.restart()));
  app.post<{ Params: { method: string }; Body: { params?: XmlRpcValue[] } | undefined }>('/api/v1/call/:method', optionalBody(callBody), async (req, reply) =>
    answer(reply, async () => ({ result: await dispatch(api, req.params.method, req.body?.params ?? []) })));
}
