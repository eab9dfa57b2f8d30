import { describe, expect, it } from 'vitest';
import type { FcgiExtras } from '../config/schema.js';
import { fcgiSocketSpec, SOMAXCONN, type SocketOwnerFacts } from './fcgi-socket-spec.js';

const facts: SocketOwnerFacts = {
  daemonUid: 0,
  lookupUser: (k) => (k === 'www' || k === '33' ? { name: 'www', uid: 33, gid: 34, home: '/var/www' } : undefined),
  lookupGroup: (k) => (k === 'web' ? { name: 'web', gid: 50 } : undefined),
};
const fcgi = (socket: string, more: Partial<FcgiExtras> = {}): FcgiExtras => ({ socket, socketBacklog: null, socketOwner: null, socketMode: null, ...more });

describe('fcgiSocketSpec: supervisord parse_fcgi_socket and its socket configs', () => {
  it('tcp: the host lowercased and the port an int in the url, SOMAXCONN unless socket_backlog', () => {
    expect(fcgiSocketSpec(fcgi('tcp://LocalHost:09000'), null, facts)).toEqual({ url: 'tcp://localhost:9000', listen: { host: 'localhost', port: 9000, backlog: SOMAXCONN } });
    expect(fcgiSocketSpec(fcgi('tcp://127.0.0.1:9000', { socketBacklog: 5 }), null, facts).listen).toEqual({ host: '127.0.0.1', port: 9000, backlog: 5 });
  });

  it('unix: the path normalized, mode 0700 unless socket_mode, no owner change by default', () => {
    expect(fcgiSocketSpec(fcgi('unix:///run//fcgi/../x.sock'), null, facts)).toEqual({ url: 'unix:///run/x.sock', listen: { path: '/run/x.sock', backlog: SOMAXCONN, mode: 0o700 } });
    expect(fcgiSocketSpec(fcgi('unix:///run/x.sock', { socketMode: 0o660 }), 0, facts).listen).toMatchObject({ mode: 0o660 });
  });

  it('unix: socket_owner user (group unchanged) or user:group; else the user= of the program with its group', () => {
    expect(fcgiSocketSpec(fcgi('unix:///x.sock', { socketOwner: 'www' }), null, facts).listen).toMatchObject({ uid: 33, gid: -1 });
    expect(fcgiSocketSpec(fcgi('unix:///x.sock', { socketOwner: 'www:web' }), null, facts).listen).toMatchObject({ uid: 33, gid: 50 });
    expect(fcgiSocketSpec(fcgi('unix:///x.sock'), 33, facts).listen).toMatchObject({ uid: 33, gid: 34 });
    expect(fcgiSocketSpec(fcgi('unix:///x.sock'), 0, facts).listen).not.toHaveProperty('uid');
  });

  it('an owner gone since the config was read is an Error to report at spawn, with the url still known', () => {
    const spec = fcgiSocketSpec(fcgi('unix:///x.sock', { socketOwner: 'www:gone' }), null, facts);
    expect(spec.url).toBe('unix:///x.sock');
    expect(spec.listen).toEqual(new Error('socket_owner www:gone: no such group gone on this machine'));
  });
});
