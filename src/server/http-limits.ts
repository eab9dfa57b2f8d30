// The control server's HTTP limits, in one place: fastify's options (app.ts) and the plain
// http.Servers bound to the unix sockets (request-gate.ts) must agree, and the latter are made
// before fastify is loaded.

export const HTTP_LIMITS = {
  /** Slow or stuck clients must not pin connections forever. */
  requestTimeoutMs: 30_000,
  /** Node's default, as fastify leaves it. */
  headersTimeoutMs: 60_000,
  /** fastify's default. */
  keepAliveTimeoutMs: 72_000,
  /**
   * A flood of connections (each an fd, buffers and parser state) must not exhaust the daemon's
   * descriptors, which its children's pipes and logs need: beyond this, new ones are dropped.
   */
  maxConnections: 256,
} as const;
