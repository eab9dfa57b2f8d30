// A listening socket for an [fcgi-program:x], made by the native addon (libuv never sees it, so
// it never accept()s the children's connections), with its errors named as Node names errnos.

import { getSystemErrorMap, getSystemErrorName } from 'node:util';
import { loadNativeAddon, type ListenResult, type ListenSpec } from './native-addon.js';

/** `bind: EADDRINUSE (address already in use)`, `getaddrinfo: Name or service not known`. */
export function describeListenFailure(result: Exclude<ListenResult, { fd: number }>): string {
  if ('gai' in result) return `getaddrinfo: ${result.message}`;
  const name = getSystemErrorName(-result.errno);
  const text = getSystemErrorMap().get(-result.errno)?.[1];
  return `${result.syscall}: ${name}${text === undefined ? '' : ` (${text})`}`;
}

/** The listening socket's descriptor (blocking, close-on-exec), or why it cannot be made. */
export function openListenSocket(spec: ListenSpec, addon = loadNativeAddon()): number | Error {
  if ('missing' in addon) return new Error(`the native addon is not available: ${addon.missing}`);
  const result = addon.listenSocket(spec);
  return 'fd' in result ? result.fd : new Error(describeListenFailure(result));
}
