// supervisorctl's HTTP: XML-RPC POSTs to <serverurl>/RPC2 (xmlrpc.SupervisorTransport) and the
// streaming GETs of tail -f / maintail -f / fg (http_client.HTTPHandler), over a unix socket
// (`unix:///path`, Host `localhost`) or TCP (`http://host:port`). Socket failures become
// ConnectionFailure (errno name kept for upcheck), non-200 answers ProtocolError.

import type * as Http from 'node:http';
import type { ClientRequest, RequestOptions } from 'node:http';
import { getSystemErrorMap } from 'node:util';
import { ConnectionFailure, PythonError, ProtocolError } from './failures.js';
import type { HttpResponse } from './http-response.js';
import { requestOverUnixSocket } from './unix-post.js';
import { JSON_FORM } from '../xmlrpc/json-form.js';

export interface ServerTarget {
  readonly serverurl: string;
  readonly username: string | null;
  readonly password: string | null;
}

/** Where to connect for `serverurl`; throws supervisorctl's ValueError for other schemes. */
export function connectionOptions(serverurl: string): RequestOptions {
  if (serverurl.startsWith('unix://')) return { socketPath: serverurl.slice('unix://'.length), headers: { Host: 'localhost' } };
  if (serverurl.startsWith('http://')) {
    let url: URL;
    try {
      url = new URL(serverurl);
    } catch {
      throw new PythonError('ValueError', `Unknown protocol for serverurl ${serverurl}`);
    }
    const host = url.hostname.replace(/^\[(.*)\]$/u, '$1');
    return { host, port: url.port === '' ? 80 : Number(url.port) };
  }
  throw new PythonError('ValueError', `Unknown protocol for serverurl ${serverurl}`);
}

/** node:http, loaded on first use: over a unix socket the XML-RPC POST goes without it. */
function httpModule(): typeof Http {
  return process.getBuiltinModule('node:http');
}

function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** A node socket error as the OSError Python would have raised. */
export function toConnectionFailure(error: unknown): Error {
  if (!(error instanceof Error)) return new PythonError('Exception', String(error));
  const { code, errno } = error as NodeJS.ErrnoException;
  if (code === undefined) return error;
  if (code === 'ECONNRESET' && errno === undefined) {
    return new PythonError('http.client.RemoteDisconnected', 'Remote end closed connection without response');
  }
  const number = typeof errno === 'number' ? errno : 0;
  const strerror = getSystemErrorMap().get(number)?.[1] ?? '';
  return new ConnectionFailure(code, Math.abs(number), strerror);
}

/** A reply to an XML-RPC POST: its body, and whether it is the JSON form (xmlrpc/json-form.ts). */
export interface RpcReply {
  readonly body: string;
  readonly json: boolean;
}

const isJsonForm = (contentType: string | undefined): boolean => contentType?.split(';')[0]?.trim() === JSON_FORM;

/**
 * POSTs one XML-RPC request body to /RPC2 and resolves with the reply. It asks for the JSON form
 * first, which tssupervisord sends and supervisord, ignoring the header, does not.
 */
export function postXmlRpc(target: ServerTarget, body: string): Promise<RpcReply> {
  const base = connectionOptions(target.serverurl);
  const payload = Buffer.from(body, 'utf8');
  const headers: Record<string, string> = {
    ...(base.headers as Record<string, string> | undefined),
    'User-Agent': 'tssupervisorctl',
    'Content-Type': 'text/xml',
    Accept: `${JSON_FORM}, text/xml`,
    'Content-Length': String(payload.length),
  };
  if (target.username !== null && target.password !== null) headers['Authorization'] = basicAuth(target.username, target.password);
  if (base.socketPath !== undefined) return postOverUnixSocket(base.socketPath, headers, payload);
  return new Promise((resolve, reject) => {
    const request = httpModule().request({ ...base, method: 'POST', path: '/RPC2', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        reject(toConnectionFailure(error));
      });
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new ProtocolError(response.statusCode ?? 0, response.statusMessage ?? ''));
        else resolve({ body: Buffer.concat(chunks).toString('utf8'), json: isJsonForm(response.headers['content-type']) });
      });
    });
    request.on('error', (error) => {
      reject(toConnectionFailure(error));
    });
    request.end(payload);
  });
}

/** postXmlRpc over a unix socket, by hand (unix-post.ts), with node:http's bytes and errors. */
async function postOverUnixSocket(socketPath: string, headers: Record<string, string>, payload: Buffer): Promise<RpcReply> {
  // node:http adds `Connection: close` last when it keeps no connection alive (agent: false).
  const lines = Object.entries({ ...headers, Connection: 'close' }).map(([name, value]) => `${name}: ${value}\r\n`);
  let response: HttpResponse;
  try {
    response = await requestOverUnixSocket(socketPath, `POST /RPC2 HTTP/1.1\r\n${lines.join('')}\r\n`, payload);
  } catch (error) {
    throw toConnectionFailure(error);
  }
  if (response.status !== 200) throw new ProtocolError(response.status, response.reason);
  return { body: response.body.toString('utf8'), json: isJsonForm(response.contentType) };
}

export interface StreamListener {
  /** Body text as it arrives (http_client.Listener.feed writes it to stdout). */
  data(text: string): void;
  /** `<url> <message>` for supervisorctl's stderr (Listener.error). */
  error(line: string): void;
}

export interface StreamHandle {
  /** Resolves when the server ends the body, refuses, or close() is called. */
  readonly done: Promise<void>;
  close(): void;
}

/** GETs `path` (e.g. /logtail/foo/stdout) and streams the body, as http_client.HTTPHandler.get. */
export function streamGet(target: ServerTarget, path: string, listener: StreamListener): StreamHandle {
  const url = target.serverurl + path;
  let finish = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let request: ClientRequest | null = null;
  let closed = false;
  const close = (): void => {
    closed = true;
    request?.destroy();
    finish();
  };
  let base: RequestOptions;
  try {
    base = connectionOptions(target.serverurl);
  } catch (error) {
    listener.error(`${url} Cannot connect, error: <class 'ValueError'> (${(error as Error).message})`);
    finish();
    return { done, close };
  }
  const headers: Record<string, string> = {
    ...(base.headers as Record<string, string> | undefined),
    Accept: '*/*',
    'User-agent': 'Supervisor HTTP Client',
    // Like http_client (HTTP/1.1, no Connection header). With `Connection: close` supervisord
    // does not chunk the endless body and holds it back, so nothing would ever arrive.
    Connection: 'keep-alive',
  };
  // http_client sends credentials whenever a password is set.
  if (target.password !== null && target.password !== '') headers['Authorization'] = basicAuth(target.username ?? 'None', target.password);
  request = httpModule().request({ ...base, method: 'GET', path, headers, agent: false }, (response) => {
    if (response.statusCode !== 200) {
      listener.error(`${url} Cannot read, status code ${response.statusCode ?? 0}`);
      close();
      return;
    }
    const decoder = new TextDecoder('utf-8');
    response.on('data', (chunk: Buffer) => {
      if (!closed) listener.data(decoder.decode(chunk, { stream: true }));
    });
    response.on('end', finish);
    response.on('error', finish);
    response.on('close', finish);
  });
  request.on('error', (error) => {
    if (!closed) {
      const { pythonClass, pythonValue } = PythonError.describe(toConnectionFailure(error));
      listener.error(`${url} Cannot connect, error: <class '${pythonClass}'> (${pythonValue})`);
    }
    finish();
  });
  request.end();
  return { done, close };
}
