// Starts one control server per [unix_http_server] / [inet_http_server] section, all serving the
// daemon's ControlApi, and closes them (removing socket files) at exit.

import type { FastifyInstance } from 'fastify';
import { rmSync } from 'node:fs';
import { systemHost } from '../config/load.js';
import type { DaemonConfig } from '../config/schema.js';
import { followLog } from '../logging/log-reader.js';
import { buildServer, type LogFollower } from '../server/app.js';
import { ListenError, listenInet, listenUnix } from '../server/listen.js';
import type { DaemonRun } from './daemon-run.js';

export interface RunningServers {
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

export async function startServers(config: DaemonConfig, daemon: DaemonRun): Promise<RunningServers> {
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
  const apps: FastifyInstance[] = [];
  const sockets: string[] = [];
  const build = (credentials: DaemonConfig['unixServers'][number]['credentials']): FastifyInstance => {
    const app = buildServer({
      api: daemon.control, follow, credentials,
      autostartNames: () => daemon.autostartNamespecs(),
      onError: (message) => {
        daemon.log.error(message);
      },
    });
    apps.push(app);
    return app;
  };
  const closeAll = async (): Promise<void> => {
    await Promise.all(apps.map(async (app) => app.close()));
    for (const file of sockets) rmSync(file, { force: true });
  };
  try {
    for (const server of config.inetServers) {
      await listenInet(build(server.credentials), server);
      if (server.credentials === null) daemon.log.critical(`Server '${server.section}' running without any HTTP authentication checking`);
    }
    for (const server of config.unixServers) {
      const note = await listenUnix(build(server.credentials), server, chownTarget(server.chown));
      sockets.push(server.file);
      if (note !== null) daemon.log.info(note);
      if (server.credentials === null) daemon.log.critical(`Server '${server.section}' running without any HTTP authentication checking`);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  if (apps.length > 0) daemon.log.info("RPC interface 'supervisor' initialized");
  return { close: closeAll };
}
