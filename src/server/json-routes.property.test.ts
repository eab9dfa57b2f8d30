// Property test of the JSON API (and /status, /healthz) on arbitrary requests through inject():
// any method, route-shaped or random paths with odd names, arbitrary query strings, bodies that are
// any JSON value, broken JSON or plain junk, under any Content-Type. Every answer is a 2xx/4xx
// (503 from /healthz counts as an answer, not a failure) with a JSON body, an error body for
// every 4xx, and the ControlApi is only ever called with the types its methods declare. FUZZ_RUNS
// (default 10000, shared with the other property tests) sets the size; this file takes 40% of it.

import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FakeControlApi } from '../../test/support/fake-control-api.js';
import { buildServer } from './app.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 10_000);

const name = fc.oneof(
  fc.constantFrom('web', 'workers:worker_1', 'workers:*', 'cron', '..', '%2e%2e', '%00', 'x%2Fy', '*', ''),
  fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent),
  fc.string({ maxLength: 200 }).map(encodeURIComponent),
);

const path = fc.oneof(
  fc.constantFrom('/status', '/healthz', '/api/v1/state', '/api/v1/processes', '/api/v1/config', '/api/v1/reload', '/api/v1/shutdown', '/api/v1/restart', '/api/v1', '/api/v1/'),
  name.map((n) => `/api/v1/processes/${n}`),
  fc.tuple(name, fc.constantFrom('start', 'stop', 'signal', 'logs', 'logs/stdout', 'logs/stderr', 'logs/stdin', 'bogus')).map(([n, what]) => `/api/v1/processes/${n}/${what}`),
  name.map((n) => `/api/v1/groups/${n}`),
  fc.oneof(fc.constantFrom('supervisor.getState', 'supervisor.readLog', 'supervisor.startProcess', 'supervisor.signalProcess', 'system.multicall', 'system.methodHelp', 'supervisor.tailProcessStdoutLog'), name)
    .map((m) => `/api/v1/call/${m}`),
  fc.string({ maxLength: 40 }).map((s) => `/${encodeURIComponent(s)}`),
);

const query = fc.oneof(
  fc.constant(''),
  fc.dictionary(fc.constantFrom('offset', 'length', 'wait', 'x', 'offset[]'), fc.oneof(fc.integer().map(String), fc.string({ maxLength: 20 }), fc.constantFrom('1e400', '-0', '99999999999999999999', 'NaN')), { maxKeys: 3 })
    .map((q) => `?${new URLSearchParams(q).toString()}`),
);

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const body = fc.oneof(
  { weight: 3, arbitrary: fc.record({ wait: fc.oneof(fc.boolean(), jsonValue) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)) },
  { weight: 3, arbitrary: fc.record({ signal: fc.oneof(fc.constantFrom('HUP', 'TERM', 'SIGUSR1', 9, 0, -1, 1e300, 'BOGUS'), jsonValue) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)) },
  { weight: 3, arbitrary: fc.record({ params: fc.oneof(fc.array(jsonValue, { maxLength: 5 }), fc.array(fc.oneof(fc.integer(), fc.double(), fc.constantFrom(1e300, -1e300, 2 ** 53, 0, 100, 'web', 'web', true)), { minLength: 2, maxLength: 3 }), jsonValue) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  { weight: 1, arbitrary: fc.constantFrom('{', '{"signal":', '[1,', '{"__proto__":{"a":1}}', '{"constructor":{"prototype":{}}}', 'nul', '\u0000', '') },
);

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'text/xml', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/json; charset=latin1', undefined);
type Verb = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | 'HEAD' | 'OPTIONS';
// POST (the routes with bodies) most often.
const method: fc.Arbitrary<Verb> = fc.oneof({ weight: 4, arbitrary: fc.constant<Verb>('POST') }, fc.constantFrom<Verb>('GET', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'));

/** What ControlApi methods take: names and signals as strings, offsets and lengths as safe integers, flags as booleans. */
function declaredType(arg: unknown): boolean {
  return typeof arg === 'string' || typeof arg === 'boolean' || (typeof arg === 'number' && Number.isSafeInteger(arg));
}

describe('the JSON API on arbitrary requests', () => {
  it('answers every request with a 2xx/4xx and a JSON body, and calls the API only with declared types', async () => {
    // One app for all cases (building one costs more than a thousand requests); the fake's state
    // drifts as cases start, stop and remove things, which only widens what is covered.
    const api = new FakeControlApi();
    const errors: string[] = [];
    const app = buildServer({
      api, follow: { process: () => null, main: () => null }, credentials: null, autostartNames: () => ['web'],
      onError: (message) => errors.push(message),
    });
    onTestFinished(async () => app.close());
    await fc.assert(fc.asyncProperty(method, path, query, fc.option(body, { nil: undefined }), contentType, async (verb, url, q, payload, type) => {
      api.calls.length = 0;
      {
        const withBody = payload !== undefined && verb !== 'GET' && verb !== 'HEAD';
        const res = await app.inject({
          method: verb, url: url + q,
          ...(withBody ? { payload, headers: type === undefined ? {} : { 'content-type': type } } : {}),
        });
        const what = `${verb} ${url}${q} [${type ?? 'no type'}] ${JSON.stringify(payload)} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
        expect(res.statusCode === 503 && url === '/healthz' || (res.statusCode >= 200 && res.statusCode < 500), what).toBe(true);
        expect(errors, what).toEqual([]);
        // The dashboard's page, files and redirects (the empty random path is `/`) answer HTML, CSS, JS.
        // Judged on the path as the server sees it: `/.` and `/a/..` are `/`.
        const dashboard = /^\/(index\.html|tail\.html|dashboard\/.*)?$/u.test(new URL(url, 'http://x').pathname);
        if (verb !== 'HEAD' && res.statusCode !== 204 && !dashboard) {
          expect(res.headers['content-type'], what).toMatch(/^application\/json/u);
          const parsed: unknown = JSON.parse(res.body);
          if (res.statusCode >= 400 && url !== '/healthz') expect(parsed, what).toHaveProperty('error');
        }
        for (const call of api.calls) {
          expect(call.args.every(declaredType), `${what}: ${call.method}(${JSON.stringify(call.args)})`).toBe(true);
        }
      }
    }), { numRuns: Math.max(1, Math.round(RUNS * 0.4)) });
  }, Math.max(60_000, RUNS * 10));
});
