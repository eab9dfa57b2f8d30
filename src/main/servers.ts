// Starts one control server per [unix_http_server] / [inet_http_server] section, all serving the
// daemon's ControlApi, keeps the unix sockets in place while running, and closes them (removing
// socket files) at exit. In two steps: openServers() binds the sockets before any child is
// spawned, and attach() builds the HTTP apps, loading fastify, once the first spawns are done or
// someone asks, whichever is first (server/request-gate.ts says why; a request waits for it).
// A TCP server is built and listens at once: fastify's listen() is what binds `localhost` on both
// loopback families.

import type { FastifyInstance } from 'fastify';
import { systemHost } from '../config/system-host.js';
import type { DaemonConfig } from '../config/schema.js';
import { followLog } from '../logging/log-reader.js';
import type { LogFollower } from '../server/app.js';
import { eventFeedOf } from '../supervisor/event-feed.js';
import { ListenError, listenInet } from '../server/listen.js';
import { RequestGate } from '../server/request-gate.js';
import { UnixSocket } from '../server/unix-socket.js';
import { keepSockets } from './socket-keeper.js';
import type { DaemonRun } from './daemon-run.js';

export interface RunningServers {
  /** Builds the apps the unix sockets' requests wait for (idempotent). */
  attach(): Promise<void>;
  /** Recreates any unix socket whose file was deleted (SIGHUP, SIGUSR2, socket-keeper.ts). */
  restore(why: string): Promise<void>;
  close(): Promise<void>;
}

function chownTarget(spec: string | null): { uid: number; gid: number } | null {
  if (spec === null) return null;
  const host = systemHost();
  const [userName = '', groupName] = spec.split(':', 2);
  const user = host.lookupUser(userName);
  if (user === undefined) throw new ListenError(`chown=${spec}: no such user`);
  const gid = groupName === undefined ? -1 : host.lookupGroup(groupName)?.gid;
  if (gid === undefined) throw new ListenError(`chown=${spec}: no such group`);
  return { uid: user.uid, gid };
}

export async function openServers(config: DaemonConfig, daemon: DaemonRun): Promise<RunningServers> {
  const follow: LogFollower = {
    process: (namespec, channel, signal) => {
      const path = daemon.logPathOf(namespec, channel);
      return path === null ? null : followLog(path, { backlog: 1024, signal });
    },
    main: (signal) => {
      const path = daemon.mainLogPath();
      return path === null ? null : followLog(path, { backlog: 1024, signal });
    },
  };
  const feed = eventFeedOf(daemon.supervisor.flow);
  const apps: FastifyInstance[] = [];
  const sockets: UnixSocket[] = [];
  const build = async (credentials: DaemonConfig['unixServers'][number]['credentials'], metricsOpen = false): Promise<FastifyInstance> => {
    // Loaded on first use (and once: import() keeps the module), so fastify waits for attach().
    const { buildServer } = await import('../server/app.js');
    const app = buildServer({
      metricsOpen,
      api: daemon.control, follow, credentials,
      autostartNames: () => daemon.autostartNamespecs(),
      healthOf: (namespec) => daemon.healthOf(namespec),
      feed,
      processExtras: (namespec) => daemon.metrics.extrasOf(namespec),
      metrics: () => daemon.metrics.sample(),
      onError: (message) => {
        daemon.log.error(message);
      },
    });
    apps.push(app);
    return app;
  };
  let stopKeeping = (): void => undefined;
  let closed = false;
  const closeAll = async (): Promise<void> => {
    closed = true;
    stopKeeping();
    await Promise.all(sockets.map(async (socket) => socket.close()));
    await Promise.all(apps.map(async (app) => app.close()));
  };
  const restore = async (why: string): Promise<void> => {
    for (const socket of sockets) {
      const note = await socket.restore(why);
      if (note !== null) daemon.log[note.startsWith('recreated') ? 'warn' : 'error'](note);
    }
  };
  /** Each unix socket's gate, and the app it waits for. */
  const waiting: { gate: RequestGate; credentials: DaemonConfig['unixServers'][number]['credentials'] }[] = [];
  let attached: Promise<void> | null = null;
  const attach = async (): Promise<void> => {
    attached ??= (async () => {
      for (const { gate, credentials } of waiting) {
        // Shut down before the first wave was done: no app to build (closeAll closed the sockets).
        if (closed) return;
        const app = await build(credentials);
        await app.ready();
        gate.open(app.server);
      }
    })();
    return attached;
  };
  try {
    for (const server of config.inetServers) {
      await listenInet(await build(server.credentials, !server.metricsAuth), server);
      if (!server.metricsAuth && server.credentials !== null) daemon.log.warn(`Server '${server.section}' serves /metrics without authentication (metrics_auth=false)`);
      if (server.credentials === null) daemon.log.critical(`Server '${server.section}' running without any HTTP authentication checking`);
    }
    for (const server of config.unixServers) {
      // Built at once when a request comes before the first wave is done. A failure is the same
      // promise beforeReady awaits, which logs it and shuts down: not reported twice.
      const gate = new RequestGate(() => { void attach().catch(() => undefined); });
      waiting.push({ gate, credentials: server.credentials });
      const { socket, note } = await UnixSocket.open(gate, server, chownTarget(server.chown));
      sockets.push(socket);
      if (note !== null) daemon.log.info(note);
      if (server.credentials === null) daemon.log.critical(`Server '${server.section}' running without any HTTP authentication checking`);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  if (sockets.length > 0) {
    stopKeeping = keepSockets({ sockets, restore });
  }
  if (config.inetServers.length + config.unixServers.length > 0) daemon.log.info("RPC interface 'supervisor' initialized");
  return { attach, restore, close: closeAll };
}
