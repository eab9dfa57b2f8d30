import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FAKE_NOW, FakeControlApi } from '../../test/support/fake-control-api.js';
import type { HealthStatus } from '../api/health-status.js';
import type { Credentials } from '../config/schema.js';
import { SupervisorError, type FaultName } from '../errors.js';
import { buildServer, type LogFollower } from './app.js';
import { encodeMethodCall, parseMethodResponse, type XmlRpcInput, type XmlRpcResponse, type XmlRpcValue } from '../xmlrpc/codec.js';
import { JSON_FORM, parseJsonResponse } from '../xmlrpc/json-form.js';

interface Setup {
  credentials?: Credentials | null;
  bodyLimit?: number;
  follow?: LogFollower;
  autostart?: readonly string[];
  health?: Readonly<Record<string, HealthStatus>>;
}

const NO_LOGS: LogFollower = { process: () => null, main: () => null };

function setup(options: Setup = {}): { app: FastifyInstance; api: FakeControlApi; errors: string[] } {
  const api = new FakeControlApi();
  const errors: string[] = [];
  const app = buildServer({
    api,
    follow: options.follow ?? NO_LOGS,
    credentials: options.credentials ?? null,
    autostartNames: () => options.autostart ?? [],
    healthOf: (namespec) => options.health?.[namespec] ?? null,
    onError: (message) => {
      errors.push(message);
    },
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
  });
  onTestFinished(async () => {
    await app.close();
  });
  return { app, api, errors };
}

interface RpcAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly response: XmlRpcResponse;
}

async function post(app: FastifyInstance, body: string, url = '/RPC2', headers: Record<string, string> = {}): Promise<RpcAnswer> {
  const res = await app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'text/xml', ...headers } });
  const contentType = res.headers['content-type'];
  return { status: res.statusCode, contentType: typeof contentType === 'string' ? contentType : undefined, response: parseMethodResponse(res.body) };
}

async function rpc(app: FastifyInstance, method: string, params: readonly XmlRpcInput[] = []): Promise<RpcAnswer> {
  return post(app, encodeMethodCall(method, params));
}

/** The value of a successful call (fails the test on a fault or non-200). */
async function call(app: FastifyInstance, method: string, params: readonly XmlRpcInput[] = []): Promise<XmlRpcValue> {
  const answer = await rpc(app, method, params);
  expect(answer.status).toBe(200);
  if (!answer.response.ok) throw new Error(`unexpected fault ${answer.response.faultCode} ${answer.response.faultString}`);
  return answer.response.value;
}

/** The fault of a call that must fail, checking it still answers HTTP 200 (as supervisord). */
async function fault(app: FastifyInstance, method: string, params: readonly XmlRpcInput[] = []): Promise<{ faultCode: number; faultString: string }> {
  const answer = await rpc(app, method, params);
  expect(answer.status).toBe(200);
  if (answer.response.ok) throw new Error(`expected a fault, got ${JSON.stringify(answer.response.value)}`);
  return { faultCode: answer.response.faultCode, faultString: answer.response.faultString };
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('XML-RPC at /RPC2', () => {
  it('round-trips getState and getAllProcessInfo through the codec', async () => {
    const { app } = setup();
    const answer = await rpc(app, 'supervisor.getState');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/xml/u);
    expect(answer.response).toEqual({ ok: true, value: { statecode: 1, statename: 'RUNNING' } });

    const all = await call(app, 'supervisor.getAllProcessInfo');
    expect(Array.isArray(all)).toBe(true);
    expect(all).toHaveLength(4);
    expect((all as XmlRpcValue[])[0]).toEqual({
      name: 'web', group: 'web', description: 'pid 1234, uptime 0:00:05', start: FAKE_NOW - 5, stop: 0, now: FAKE_NOW,
      state: 20, statename: 'RUNNING', spawnerr: '', exitstatus: 0, logfile: '/logs/web.out',
      stdout_logfile: '/logs/web.out', stderr_logfile: '/logs/web.err', pid: 1234,
    });
    expect((all as { statename: string }[]).map((p) => p.statename)).toEqual(['RUNNING', 'STOPPED', 'RUNNING', 'FATAL']);
  });

  it('passes arguments through to the ControlApi with their types', async () => {
    const { app, api } = setup();
    expect(await call(app, 'supervisor.getProcessInfo', ['workers:worker_0'])).toMatchObject({ name: 'worker_0', statename: 'STOPPED', description: 'Not started' });
    expect(await call(app, 'supervisor.startProcess', ['workers:worker_0', false])).toBe(true);
    expect(api.callsOf('startProcess')).toEqual([['workers:worker_0', false]]);
    expect(await call(app, 'supervisor.readProcessStdoutLog', ['web', 0, 5])).toBe('hello');
    expect(api.callsOf('readProcessStdoutLog')).toEqual([['web', 0, 5]]);
    expect(await call(app, 'supervisor.tailProcessStdoutLog', ['web', 0, 100])).toEqual(['hello from web\n', 15, false]);
    expect(await call(app, 'supervisor.getAPIVersion')).toBe('3.0');
    expect(await call(app, 'supervisor.getPID')).toBe(4321);
    expect(await call(app, 'supervisor.startProcessGroup', ['workers'])).toEqual([]);
    expect(await call(app, 'supervisor.stopAllProcesses', [false])).toEqual([
      { name: 'web', group: 'web', status: 80, description: 'OK' },
      { name: 'worker_0', group: 'workers', status: 80, description: 'OK' },
      { name: 'worker_1', group: 'workers', status: 80, description: 'OK' },
    ]);
  });

  it('answers every fault with HTTP 200 and supervisord\'s faultCode and faultString', async () => {
    const { app, api } = setup();
    expect(await fault(app, 'supervisor.getProcessInfo', ['nosuch'])).toEqual({ faultCode: 10, faultString: 'BAD_NAME: nosuch' });
    expect(await fault(app, 'supervisor.startProcess', ['web'])).toEqual({ faultCode: 60, faultString: 'ALREADY_STARTED: web' });
    expect(await fault(app, 'supervisor.stopProcess', ['workers:worker_0'])).toEqual({ faultCode: 70, faultString: 'NOT_RUNNING: workers:worker_0' });
    expect(await fault(app, 'supervisor.signalProcess', ['web', 'BOGUS'])).toEqual({ faultCode: 11, faultString: 'BAD_SIGNAL: BOGUS' });
    expect(await fault(app, 'supervisor.readLog', [-5, 3])).toEqual({ faultCode: 3, faultString: 'BAD_ARGUMENTS' });
    expect(await fault(app, 'supervisor.removeProcessGroup', ['web'])).toEqual({ faultCode: 91, faultString: 'STILL_RUNNING: web' });
    expect(await fault(app, 'supervisor.addProcessGroup', ['web'])).toEqual({ faultCode: 90, faultString: 'ALREADY_ADDED: web' });

    // Every fault the ControlApi can raise reaches the wire unchanged.
    const cases: [FaultName, string | null, number][] = [
      ['SHUTDOWN_STATE', null, 6], ['NO_FILE', "can't find command '/nonexistent/cmd'", 20],
      ['NOT_EXECUTABLE', "command at '/tmp/x.sh' is not executable", 21], ['FAILED', 'web is in an unknown process state', 30],
      ['ABNORMAL_TERMINATION', 'web', 40], ['SPAWN_ERROR', 'web', 50], ['CANT_REREAD', 'test.conf:3 [program:x]: bad', 92],
    ];
    for (const [name, detail, code] of cases) {
      api.failWith('startProcess', new SupervisorError(name, detail));
      expect(await fault(app, 'supervisor.startProcess', ['web', true])).toEqual({
        faultCode: code, faultString: detail === null ? name : `${name}: ${detail}`,
      });
    }
  });

  it('refuses unknown, private and over-qualified method names with UNKNOWN_METHOD', async () => {
    const { app, api } = setup();
    for (const name of ['supervisor.nosuch', 'supervisor._private', 'supervisor._update', 'a.b.c', 'supervisor.getState.x', 'getState', 'other.getState']) {
      expect(await fault(app, name)).toEqual({ faultCode: 1, faultString: 'UNKNOWN_METHOD' });
    }
    expect(api.calls).toEqual([]);
  });

  it('checks arity and types before calling: INCORRECT_PARAMETERS', async () => {
    const { app, api } = setup();
    const bad: [string, XmlRpcInput[]][] = [
      ['supervisor.getState', ['extra']],
      ['supervisor.getProcessInfo', []],
      ['supervisor.getProcessInfo', [1]],
      ['supervisor.startProcess', ['web', 'yes']],
      ['supervisor.startProcess', ['web', true, 1]],
      ['supervisor.readLog', ['0', 0]],
      ['supervisor.readLog', [0]],
      ['supervisor.readProcessStdoutLog', ['web', 0, true]],
      ['supervisor.sendProcessStdin', ['web', 1]],
      ['supervisor.signalProcess', ['web', true]],
      ['supervisor.signalProcess', ['web']],
      ['supervisor.getProcessInfo', [{ name: 'web' }]],
      ['supervisor.getProcessInfo', [['web']]],
    ];
    for (const [method, params] of bad) {
      expect(await fault(app, method, params), `${method}(${JSON.stringify(params)})`).toEqual({ faultCode: 2, faultString: 'INCORRECT_PARAMETERS' });
    }
    expect(api.calls).toEqual([]);
  });

  it('serves supervisord\'s aliases', async () => {
    const { app, api } = setup();
    expect(await call(app, 'supervisor.getVersion')).toBe('3.0');
    expect(await call(app, 'supervisor.readMainLog', [0, 0])).toBe('main log line\n');
    expect(await call(app, 'supervisor.readProcessLog', ['web', 0, 0])).toBe('hello from web\n');
    expect(await call(app, 'supervisor.tailProcessLog', ['web', 0, 5])).toEqual([' web\n', 15, true]);
    expect(await call(app, 'supervisor.clearProcessLog', ['web'])).toBe(true);
    expect(api.calls.map((c) => c.method)).toEqual([
      'getAPIVersion', 'readLog', 'readProcessStdoutLog', 'tailProcessStdoutLog', 'clearProcessLogs',
    ]);
  });

  it('defaults an omitted `wait` to true', async () => {
    const { app, api } = setup();
    await call(app, 'supervisor.startProcess', ['workers:worker_0']);
    await call(app, 'supervisor.stopProcess', ['web']);
    await call(app, 'supervisor.startAllProcesses');
    await call(app, 'supervisor.stopProcessGroup', ['workers']);
    expect(api.calls.map((c) => [c.method, ...c.args])).toEqual([
      ['startProcess', 'workers:worker_0', true],
      ['stopProcess', 'web', true],
      ['startAllProcesses', true],
      ['stopProcessGroup', 'workers', true],
    ]);
  });

  it('accepts a signal as a name or as a number, passing the number on as text', async () => {
    const { app, api } = setup();
    expect(await call(app, 'supervisor.signalProcess', ['web', 'HUP'])).toBe(true);
    expect(await call(app, 'supervisor.signalProcess', ['web', 1])).toBe(true);
    expect(await call(app, 'supervisor.signalProcessGroup', ['workers', 10])).toEqual([{ name: 'worker_1', group: 'workers', status: 80, description: 'OK' }]);
    expect(await call(app, 'supervisor.signalAllProcesses', [15])).toHaveLength(2);
    expect(api.calls.map((c) => c.args.at(-1))).toEqual(['HUP', '1', '10', '15']);
  });

  it('lists its methods sorted, with system.multicall and the aliases', async () => {
    const { app } = setup();
    const methods = await call(app, 'system.listMethods') as string[];
    expect(methods).toEqual([...methods].sort());
    for (const m of ['system.multicall', 'system.listMethods', 'system.methodHelp', 'system.methodSignature',
      'supervisor.getVersion', 'supervisor.readMainLog', 'supervisor.tailProcessLog', 'supervisor.clearProcessLog',
      'supervisor.startProcess', 'supervisor.getAllProcessInfo', 'supervisor.sendRemoteCommEvent', 'supervisor.getProcessHistory']) {
      expect(methods).toContain(m);
    }
    expect(methods.filter((m) => m.startsWith('supervisor.'))).toHaveLength(38);
    expect(methods.filter((m) => m.startsWith('system.'))).toHaveLength(4);
  });

  it('answers methodHelp and methodSignature; SIGNATURE_UNSUPPORTED for unknown methods', async () => {
    const { app } = setup();
    expect(await call(app, 'system.methodSignature', ['supervisor.startProcess'])).toEqual(['boolean', 'string', 'boolean']);
    expect(await call(app, 'system.methodSignature', ['supervisor.getState'])).toEqual(['struct']);
    expect(await call(app, 'system.methodSignature', ['supervisor.readLog'])).toEqual(['string', 'int', 'int']);
    expect(await call(app, 'system.methodSignature', ['system.multicall'])).toEqual(['array', 'array']);
    expect(await call(app, 'system.methodHelp', ['supervisor.startProcess'])).toBe('Start a process');
    expect(await call(app, 'system.methodHelp', ['supervisor.getVersion'])).toBe('Return the version of the RPC API used by supervisord');
    expect(await fault(app, 'system.methodSignature', ['supervisor.nosuch'])).toEqual({ faultCode: 4, faultString: 'SIGNATURE_UNSUPPORTED' });
    expect(await fault(app, 'system.methodHelp', ['supervisor._private'])).toEqual({ faultCode: 4, faultString: 'SIGNATURE_UNSUPPORTED' });
  });

  it('runs system.multicall in order with unwrapped results and faults as structs', async () => {
    const { app, api } = setup();
    const results = await call(app, 'system.multicall', [[
      { methodName: 'supervisor.getPID', params: [] },
      { methodName: 'supervisor.getProcessInfo', params: ['nosuch'] },
      { methodName: 'supervisor.stopProcess', params: ['web', false] },
      { methodName: 'supervisor.getState' },
      { methodName: 'system.multicall', params: [[]] },
      { methodName: 'supervisor.nosuch', params: [] },
      { methodName: 'supervisor.getProcessInfo', params: [] },
      { params: [] },
      'not a struct',
      { methodName: 'system.listMethods', params: [] },
    ]]) as XmlRpcValue[];
    expect(results.slice(0, 9)).toEqual([
      4321,
      { faultCode: 10, faultString: 'BAD_NAME: nosuch' },
      true,
      { statecode: 1, statename: 'RUNNING' },
      { faultCode: 2, faultString: 'INCORRECT_PARAMETERS: Recursive system.multicall forbidden' },
      { faultCode: 1, faultString: 'UNKNOWN_METHOD' },
      { faultCode: 2, faultString: 'INCORRECT_PARAMETERS' },
      { faultCode: 2, faultString: 'INCORRECT_PARAMETERS' },
      { faultCode: 2, faultString: 'INCORRECT_PARAMETERS' },
    ]);
    expect(results[9]).toContain('system.multicall');
    expect(api.calls.map((c) => c.method)).toEqual(['getPID', 'getProcessInfo', 'stopProcess', 'getState']);
    expect(await fault(app, 'system.multicall', ['x'])).toEqual({ faultCode: 2, faultString: 'INCORRECT_PARAMETERS' });
    expect(await call(app, 'system.multicall', [[]])).toEqual([]);
  });

  it('answers malformed XML and DOCTYPE with HTTP 400 and a fault body', async () => {
    const { app, api } = setup();
    const bodies = [
      'this is not xml',
      '<methodCall><methodName>supervisor.getState</methodName>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><methodCall><methodName>supervisor.getState</methodName></methodCall>',
      '<methodCall><params/></methodCall>',
      '<methodResponse><params/></methodResponse>',
      '',
    ];
    for (const body of bodies) {
      const answer = await post(app, body);
      expect(answer.status, body).toBe(400);
      expect(answer.contentType).toMatch(/^text\/xml/u);
      expect(answer.response.ok).toBe(false);
      if (!answer.response.ok) {
        expect(answer.response.faultCode).toBe(2);
        expect(answer.response.faultString).toMatch(/^INCORRECT_PARAMETERS: ./u);
      }
    }
    const doctype = await post(app, bodies[2] ?? '');
    expect(doctype.response).toMatchObject({ faultString: expect.stringContaining('DOCTYPE') as unknown });
    expect(api.calls).toEqual([]);
  });

  it('accepts a request without <params> and any path under /RPC2/', async () => {
    const { app } = setup();
    const bare = await post(app, '<?xml version="1.0"?><methodCall><methodName>supervisor.getPID</methodName></methodCall>');
    expect(bare.response).toEqual({ ok: true, value: 4321 });
    const nested = await post(app, encodeMethodCall('supervisor.getAPIVersion', []), '/RPC2/anything');
    expect(nested).toMatchObject({ status: 200, response: { ok: true, value: '3.0' } });
    const unknownPath = await app.inject({ method: 'POST', url: '/nothing', payload: 'x', headers: { 'content-type': 'text/xml' } });
    expect(unknownPath.statusCode).toBe(404);
  });

  it('reads the body as XML whatever its Content-Type says, and answers XML-RPC', async () => {
    const { app } = setup();
    const call = encodeMethodCall('supervisor.getState', []);
    for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml; charset=utf-8']) {
      const ok = await post(app, call, '/RPC2', { 'content-type': type });
      expect(ok.status, type).toBe(200);
      expect(ok.contentType, type).toMatch(/^text\/xml/u);
      expect(ok.response, type).toEqual({ ok: true, value: { statecode: 1, statename: 'RUNNING' } });
    }
    // JSON (valid or not) sent to /RPC2 is malformed XML-RPC: a 400 with a fault, not a JSON error.
    for (const body of ['{"methodName":"supervisor.getState"}', '{bad json']) {
      const refused = await post(app, body, '/RPC2', { 'content-type': 'application/json' });
      expect(refused.status, body).toBe(400);
      expect(refused.response, body).toMatchObject({ ok: false, faultCode: 2 });
    }
  });

  it('answers in the JSON form to a client that asks for it in Accept, the same answers as the XML', async () => {
    const { app } = setup();
    const asked = async (body: string): Promise<{ status: number; contentType: unknown; json: XmlRpcResponse; xml: XmlRpcResponse }> => {
      const json = await app.inject({ method: 'POST', url: '/RPC2', payload: body, headers: { 'content-type': 'text/xml', accept: `${JSON_FORM}, text/xml` } });
      const xml = await post(app, body);
      expect(xml.contentType).toMatch(/^text\/xml/u);
      return { status: json.statusCode, contentType: json.headers['content-type'], json: parseJsonResponse(json.body), xml: xml.response };
    };
    for (const call of [encodeMethodCall('supervisor.getAllProcessInfo', []), encodeMethodCall('supervisor.getProcessInfo', ['nosuch']), '<methodCall>']) {
      const answer = await asked(call);
      expect(answer.contentType, call).toMatch(new RegExp(`^${JSON_FORM.replace(/[.+]/gu, '\\$&')}`, 'u'));
      expect(answer.json, call).toEqual(answer.xml);
    }
    const infos = await asked(encodeMethodCall('supervisor.getAllProcessInfo', []));
    expect(infos).toMatchObject({ status: 200, json: { ok: true } });
    expect((infos.json as { value: unknown[] }).value.length).toBeGreaterThan(0);
    expect((await asked(encodeMethodCall('supervisor.getProcessInfo', ['nosuch']))).json).toEqual({ ok: false, faultCode: 10, faultString: 'BAD_NAME: nosuch' });
    expect((await asked('<methodCall>')).status).toBe(400);
  });

  it('refuses a body over bodyLimit with 413 without calling anything', async () => {
    const { app, api } = setup({ bodyLimit: 1024 });
    const big = encodeMethodCall('supervisor.sendProcessStdin', ['web', 'x'.repeat(2000)]);
    const res = await app.inject({ method: 'POST', url: '/RPC2', payload: big, headers: { 'content-type': 'text/xml' } });
    expect(res.statusCode).toBe(413);
    expect(api.calls).toEqual([]);
    const small = await post(app, encodeMethodCall('supervisor.sendProcessStdin', ['web', 'x'.repeat(100)]));
    expect(small.response).toEqual({ ok: true, value: true });
  });

  it('turns a non-SupervisorError from the ControlApi into a FAILED fault and reports it', async () => {
    const { app, api, errors } = setup();
    api.failWith('getAllProcessInfo', new TypeError('boom'));
    expect(await fault(app, 'supervisor.getAllProcessInfo')).toEqual({ faultCode: 30, faultString: 'FAILED: boom' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^XML-RPC supervisor\.getAllProcessInfo failed: TypeError: boom/u);
    // Inside a multicall the same failure is a FAILED fault for the whole call.
    expect(await fault(app, 'system.multicall', [[{ methodName: 'supervisor.getAllProcessInfo', params: [] }]])).toEqual({ faultCode: 30, faultString: 'FAILED: boom' });
    // SupervisorErrors are answers, not failures: nothing reported.
    api.failWith('getState', new SupervisorError('SHUTDOWN_STATE'));
    await fault(app, 'supervisor.getState');
    expect(errors).toHaveLength(2);
  });
});

describe('basic auth', () => {
  const url = '/RPC2';
  const payload = encodeMethodCall('supervisor.getState', []);
  const inject = (app: FastifyInstance, authorization?: string) => app.inject({
    method: 'POST', url, payload, headers: { 'content-type': 'text/xml', ...(authorization === undefined ? {} : { authorization }) },
  });

  it('asks for credentials with 401 and WWW-Authenticate, refuses wrong ones, accepts right ones', async () => {
    const { app, api } = setup({ credentials: { username: 'user', password: '123' } });
    const none = await inject(app);
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="default"');
    expect((await inject(app, basic('user', 'wrong'))).statusCode).toBe(401);
    expect((await inject(app, basic('other', '123'))).statusCode).toBe(401);
    expect((await inject(app, 'Bearer abc')).statusCode).toBe(401);
    expect((await inject(app, 'Basic !!!')).statusCode).toBe(401);
    expect(api.calls).toEqual([]);
    const ok = await inject(app, basic('user', '123'));
    expect(ok.statusCode).toBe(200);
    expect(parseMethodResponse(ok.body)).toEqual({ ok: true, value: { statecode: 1, statename: 'RUNNING' } });
  });

  it('guards every route, not only /RPC2', async () => {
    const { app } = setup({ credentials: { username: 'user', password: '123' } });
    for (const path of ['/status', '/healthz', '/api/v1/processes', '/logtail/web', '/mainlogtail']) {
      const res = await app.inject({ method: 'GET', url: path });
      expect(res.statusCode, path).toBe(401);
    }
    const authorised = await app.inject({ method: 'GET', url: '/api/v1/processes', headers: { authorization: basic('user', '123') } });
    expect(authorised.statusCode).toBe(200);
  });

  it('accepts a {SHA} stored password (sha1 hex, either case)', async () => {
    const sha = createHash('sha1').update('secret').digest('hex');
    for (const stored of [`{SHA}${sha}`, `{SHA}${sha.toUpperCase()}`]) {
      const { app } = setup({ credentials: { username: 'admin', password: stored } });
      expect((await inject(app, basic('admin', 'secret'))).statusCode).toBe(200);
      expect((await inject(app, basic('admin', 'wrong'))).statusCode).toBe(401);
      expect((await inject(app, basic('admin', stored))).statusCode).toBe(401);
    }
  });

  it('allows a colon in the password', async () => {
    const { app } = setup({ credentials: { username: 'u', password: 'a:b' } });
    expect((await inject(app, basic('u', 'a:b'))).statusCode).toBe(200);
  });
});

describe('JSON API', () => {
  it('lists processes and reads one; unknown names are 404 with the fault', async () => {
    const { app } = setup();
    const all = await app.inject({ method: 'GET', url: '/api/v1/processes' });
    expect(all.statusCode).toBe(200);
    expect(all.headers['content-type']).toMatch(/^application\/json/u);
    expect((all.json<{ name: string }[]>()).map((p) => p.name)).toEqual(['web', 'worker_0', 'worker_1', 'cron']);

    const one = await app.inject({ method: 'GET', url: '/api/v1/processes/workers:worker_1' });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ name: 'worker_1', group: 'workers', statename: 'RUNNING', pid: 1236 });

    const missing = await app.inject({ method: 'GET', url: '/api/v1/processes/nosuch' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { fault: 'BAD_NAME', faultCode: 10, message: 'BAD_NAME: nosuch' } });
  });

  it('starts, stops and signals, with wait defaulting to true and faults mapped to HTTP statuses', async () => {
    const { app, api } = setup();
    const start = await app.inject({ method: 'POST', url: '/api/v1/processes/workers:worker_0/start' });
    expect(start.statusCode).toBe(200);
    expect(start.json()).toBe(true);
    const again = await app.inject({ method: 'POST', url: '/api/v1/processes/workers:worker_0/start', payload: { wait: false } });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { fault: 'ALREADY_STARTED', faultCode: 60 } });
    const stop = await app.inject({ method: 'POST', url: '/api/v1/processes/web/stop', payload: { wait: false } });
    expect(stop.statusCode).toBe(200);
    const stopAgain = await app.inject({ method: 'POST', url: '/api/v1/processes/web/stop' });
    expect(stopAgain.statusCode).toBe(409);
    expect(stopAgain.json()).toMatchObject({ error: { fault: 'NOT_RUNNING' } });
    const signal = await app.inject({ method: 'POST', url: '/api/v1/processes/workers:worker_1/signal', payload: { signal: 'HUP' } });
    expect(signal.statusCode).toBe(200);
    const badSignal = await app.inject({ method: 'POST', url: '/api/v1/processes/workers:worker_1/signal', payload: { signal: 'BOGUS' } });
    expect(badSignal.statusCode).toBe(400);
    expect(badSignal.json()).toMatchObject({ error: { fault: 'BAD_SIGNAL', message: 'BAD_SIGNAL: BOGUS' } });
    expect(api.calls.map((c) => [c.method, ...c.args])).toEqual([
      ['startProcess', 'workers:worker_0', true],
      ['startProcess', 'workers:worker_0', false],
      ['stopProcess', 'web', false],
      ['stopProcess', 'web', true],
      ['signalProcess', 'workers:worker_1', 'HUP'],
      ['signalProcess', 'workers:worker_1', 'BOGUS'],
    ]);
  });

  it('reads and clears process logs', async () => {
    const { app, api } = setup();
    const tail = await app.inject({ method: 'GET', url: '/api/v1/processes/web/logs/stdout' });
    expect(tail.statusCode).toBe(200);
    expect(tail.headers['content-type']).toMatch(/^application\/json/u);
    expect(tail.json()).toEqual({ text: 'hello from web\n' });
    expect(api.callsOf('readProcessStdoutLog')).toEqual([['web', -1600, 0]]);
    const slice = await app.inject({ method: 'GET', url: '/api/v1/processes/web/logs/stdout?offset=6&length=4' });
    expect(slice.json()).toEqual({ text: 'from' });
    const stderr = await app.inject({ method: 'GET', url: '/api/v1/processes/web/logs/stderr' });
    expect(stderr.statusCode).toBe(200);
    expect(stderr.json()).toEqual({ text: '' });
    const badChannel = await app.inject({ method: 'GET', url: '/api/v1/processes/web/logs/stdin' });
    expect(badChannel.statusCode).toBe(400);
    expect(badChannel.json()).toMatchObject({ error: { fault: 'BAD_ARGUMENTS' } });
    const cleared = await app.inject({ method: 'DELETE', url: '/api/v1/processes/web/logs' });
    expect(cleared.json()).toBe(true);
    expect((await app.inject({ method: 'GET', url: '/api/v1/processes/web/logs/stdout' })).json()).toEqual({ text: '' });
  });

  it('removes and adds groups, and reloads the config', async () => {
    const { app, api } = setup();
    const busy = await app.inject({ method: 'DELETE', url: '/api/v1/groups/workers' });
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ error: { fault: 'STILL_RUNNING' } });
    const removed = await app.inject({ method: 'DELETE', url: '/api/v1/groups/cron' });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toBe(true);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/groups/cron' })).statusCode).toBe(404);
    const added = await app.inject({ method: 'POST', url: '/api/v1/groups/cron' });
    expect(added.statusCode).toBe(200);
    const twice = await app.inject({ method: 'POST', url: '/api/v1/groups/cron' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: { fault: 'ALREADY_ADDED' } });

    api.reloadResult = [[['new'], ['web'], ['old']]];
    const reload = await app.inject({ method: 'POST', url: '/api/v1/reload' });
    expect(reload.statusCode).toBe(200);
    expect(reload.json()).toEqual([[['new'], ['web'], ['old']]]);
    api.failWith('reloadConfig', new SupervisorError('CANT_REREAD', 'x.conf:1: bad'));
    const broken = await app.inject({ method: 'POST', url: '/api/v1/reload' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toEqual({ error: { fault: 'CANT_REREAD', faultCode: 92, message: 'CANT_REREAD: x.conf:1: bad' } });
  });

  it('calls any method through /api/v1/call/<method> with {params}', async () => {
    const { app, api } = setup();
    const state = await app.inject({ method: 'POST', url: '/api/v1/call/supervisor.getState', payload: { params: [] } });
    expect(state.statusCode).toBe(200);
    expect(state.json()).toEqual({ result: { statecode: 1, statename: 'RUNNING' } });
    const noBody = await app.inject({ method: 'POST', url: '/api/v1/call/supervisor.getPID' });
    expect(noBody.json()).toEqual({ result: 4321 });
    const info = await app.inject({ method: 'POST', url: '/api/v1/call/supervisor.getProcessInfo', payload: { params: ['nosuch'] } });
    expect(info.statusCode).toBe(404);
    expect(info.json()).toMatchObject({ error: { fault: 'BAD_NAME' } });
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/call/supervisor.nosuch', payload: { params: [] } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { fault: 'UNKNOWN_METHOD', faultCode: 1 } });
    const wrongParams = await app.inject({ method: 'POST', url: '/api/v1/call/supervisor.getState', payload: { params: 'x' } });
    expect(wrongParams.statusCode).toBe(400);
    expect(wrongParams.json()).toMatchObject({ error: { fault: 'INCORRECT_PARAMETERS' } });
    const arity = await app.inject({ method: 'POST', url: '/api/v1/call/supervisor.getProcessInfo', payload: { params: [] } });
    expect(arity.statusCode).toBe(400);
    // JSON numbers can be integral yet beyond what an XML-RPC int (or a file offset) can be.
    for (const params of [[1e300, 0], [0, 2 ** 53], [-1e20, 10]]) {
      const huge = await app.inject({ method: 'POST', url: '/api/v1/call/supervisor.readLog', payload: { params } });
      expect(huge.statusCode, JSON.stringify(params)).toBe(400);
      expect(huge.json()).toMatchObject({ error: { fault: 'INCORRECT_PARAMETERS' } });
    }
    expect(api.callsOf('readLog')).toEqual([]);
  });

  it('answers every wrong body or query shape with 400 INCORRECT_PARAMETERS naming the field, never a 500', async () => {
    const { app, api, errors } = setup();
    const bad: [string, string, string, string][] = [
      ['POST', '/api/v1/processes/web/signal', '{"signal":[]}', 'body/signal must be string'],
      ['POST', '/api/v1/processes/web/signal', '{}', "body must have required property 'signal'"],
      ['POST', '/api/v1/processes/web/signal', '["HUP"]', 'body must be object'],
      ['POST', '/api/v1/processes/web/signal', 'true', 'body must be object'],
      ['POST', '/api/v1/processes/web/signal', 'null', 'body must be object'],
      ['POST', '/api/v1/processes/web/signal', '{"signal":""}', 'body/signal must NOT have fewer than 1 characters'],
      ['POST', '/api/v1/processes/web/start', '{"wait":"no"}', 'body/wait must be boolean'],
      ['POST', '/api/v1/processes/web/start', '"x"', 'body must be object'],
      ['POST', '/api/v1/processes/web/stop', '{"wait":1}', 'body/wait must be boolean'],
      ['POST', '/api/v1/processes/web/stop', '{"wiat":false}', 'body must NOT have additional properties'],
      ['POST', '/api/v1/call/supervisor.getState', '[1,2]', 'body must be object'],
      ['POST', '/api/v1/call/supervisor.getState', '{"params":{"0":1}}', 'body/params must be array'],
      ['GET', '/api/v1/processes/web/logs/stdout?offset=x', '', 'querystring/offset must match pattern'],
      ['GET', '/api/v1/processes/web/logs/stdout?length=1e400', '', 'querystring/length must match pattern'],
    ];
    for (const [method, url, payload, message] of bad) {
      const res = await app.inject({ method: method as 'GET' | 'POST', url, ...(payload === '' ? {} : { payload, headers: { 'content-type': 'application/json' } }) });
      expect(res.statusCode, `${method} ${url} ${payload}: ${res.body}`).toBe(400);
      expect(res.json(), `${url} ${payload}`).toMatchObject({ error: { fault: 'INCORRECT_PARAMETERS', faultCode: 2 } });
      expect(res.json<{ error: { message: string } }>().error.message).toContain(message);
    }
    // Bodies that are not JSON at all are 400 too, and nothing reached the API.
    for (const payload of ['{"signal":', '\u0000', '{"__proto__":{"x":1}}']) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/processes/web/signal', payload, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode, payload).toBe(400);
      expect(res.json(), payload).toHaveProperty('error');
    }
    expect(api.calls).toEqual([]);
    expect(errors).toEqual([]);
    // A signal number is accepted, as over XML-RPC; no body means the defaults.
    expect((await app.inject({ method: 'POST', url: '/api/v1/processes/web/signal', payload: { signal: 1 } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/processes/web/stop' })).statusCode).toBe(200);
    expect(api.calls.map((c) => [c.method, ...c.args])).toEqual([['signalProcess', 'web', '1'], ['stopProcess', 'web', true]]);
  });

  it('reports a non-SupervisorError as 500 and via onError', async () => {
    const { app, api, errors } = setup();
    api.failWith('getAllProcessInfo', new Error('disk on fire'));
    const res = await app.inject({ method: 'GET', url: '/api/v1/processes' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'disk on fire' });
    expect(errors.join('\n')).toContain('disk on fire');
  });

  it('shows /status with the daemon state and every process', async () => {
    const { app } = setup();
    const res = await app.inject({ method: 'GET', url: '/status' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      state: 'RUNNING',
      pid: 4321,
      processes: [
        { name: 'web', group: 'web', state: 'RUNNING', pid: 1234, uptime: 5, exitstatus: 0, description: 'pid 1234, uptime 0:00:05', health: null },
        { name: 'workers:worker_0', group: 'workers', state: 'STOPPED', pid: 0, uptime: 0, exitstatus: 0, description: 'Not started', health: null },
        { name: 'workers:worker_1', group: 'workers', state: 'RUNNING', pid: 1236, uptime: 5, exitstatus: 0, description: 'pid 1236, uptime 0:00:05', health: null },
        { name: 'cron', group: 'cron', state: 'FATAL', pid: 0, uptime: 0, exitstatus: 0, description: "can't find command '/nonexistent'", health: null },
      ],
    });
  });

  it('carries each process\'s health check status as `health` in /status and /api/v1/processes (null without one)', async () => {
    const sick: HealthStatus = { state: 'unhealthy', failures: 2, retries: 3, lastError: 'connect ECONNREFUSED 127.0.0.1:6380', lastCheckAt: 1_700_000_000_000 };
    const { app } = setup({ health: { 'workers:worker_1': sick } });
    const status = (await app.inject({ method: 'GET', url: '/status' })).json<{ processes: { name: string; health: unknown }[] }>();
    expect(status.processes.map((p) => [p.name, p.health])).toEqual([['web', null], ['workers:worker_0', null], ['workers:worker_1', sick], ['cron', null]]);
    const all = (await app.inject({ method: 'GET', url: '/api/v1/processes' })).json<{ name: string; health: unknown }[]>();
    expect(all.map((p) => [p.name, p.health])).toEqual([['web', null], ['worker_0', null], ['worker_1', sick], ['cron', null]]);
    expect((await app.inject({ method: 'GET', url: '/api/v1/processes/workers:worker_1' })).json()).toMatchObject({ name: 'worker_1', health: sick });
    expect((await app.inject({ method: 'GET', url: '/api/v1/processes/web' })).json()).toMatchObject({ name: 'web', health: null });
  });

  it('answers /healthz 200 while every autostart program runs, 503 naming those that do not', async () => {
    const healthy = setup({ autostart: ['web', 'workers:worker_1'] });
    const ok = await healthy.app.inject({ method: 'GET', url: '/healthz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true, notRunning: [] });

    const sick = setup({ autostart: ['web', 'workers:worker_0', 'cron'] });
    const bad = await sick.app.inject({ method: 'GET', url: '/healthz' });
    expect(bad.statusCode).toBe(503);
    expect(bad.json()).toEqual({
      ok: false,
      notRunning: [{ name: 'workers:worker_0', state: 'STOPPED' }, { name: 'cron', state: 'FATAL' }],
    });
    sick.api.setState('workers:worker_0', 'RUNNING');
    sick.api.setState('cron', 'RUNNING');
    expect((await sick.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    sick.api.setState('web', 'STARTING');
    expect((await sick.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: false, notRunning: [{ name: 'web', state: 'STARTING' }] });
  });
});

describe('/logtail and /mainlogtail', () => {
  function follower(): { follow: LogFollower; asked: string[]; aborted: AbortSignal[] } {
    const asked: string[] = [];
    const aborted: AbortSignal[] = [];
    const chunks = async function* (prefix: string): AsyncIterable<Buffer> {
      await Promise.resolve();
      yield Buffer.from(`${prefix} one\n`);
      yield Buffer.from(`${prefix} two\n`);
      yield Buffer.from('h\u00e9llo\n');
    };
    return {
      asked, aborted,
      follow: {
        process(namespec, channel, signal) {
          asked.push(`${namespec}/${channel}`);
          aborted.push(signal);
          return namespec === 'web' ? chunks(channel) : null;
        },
        main(signal) {
          asked.push('main');
          aborted.push(signal);
          return chunks('main');
        },
      },
    };
  }

  it('answers 404 when the follower has no such log', async () => {
    const { follow, asked } = follower();
    const { app } = setup({ follow });
    const res = await app.inject({ method: 'GET', url: '/logtail/nosuch/stdout' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('Not Found\n');
    expect(asked).toEqual(['nosuch/stdout']);
  });

  it('answers 404 for a channel other than stdout/stderr without asking the follower', async () => {
    const { follow, asked } = follower();
    const { app } = setup({ follow });
    expect((await app.inject({ method: 'GET', url: '/logtail/web/stdin' })).statusCode).toBe(404);
    expect(asked).toEqual([]);
  });

  it('streams a live log\'s chunks, stdout by default', async () => {
    const { follow, asked } = follower();
    const { app } = setup({ follow });
    const res = await app.inject({ method: 'GET', url: '/logtail/web/stderr' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain;charset=utf-8');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.body).toBe('stderr one\nstderr two\nh\u00e9llo\n');
    const dflt = await app.inject({ method: 'GET', url: '/logtail/web' });
    expect(dflt.body).toBe('stdout one\nstdout two\nh\u00e9llo\n');
    expect(asked).toEqual(['web/stderr', 'web/stdout']);
  });

  it('streams the main log', async () => {
    const { follow } = follower();
    const { app } = setup({ follow });
    const res = await app.inject({ method: 'GET', url: '/mainlogtail' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('main one\nmain two\nh\u00e9llo\n');
    const none = setup();
    expect((await none.app.inject({ method: 'GET', url: '/mainlogtail' })).statusCode).toBe(404);
  });
});
