// The control server's HTTP limits, in one place: fastify's options (app.ts), and the cap of the
// listeners bound to the unix sockets (connection-gate.ts), which are made before fastify is loaded.

export const HTTP_LIMITS = {
  /** Slow or stuck clients must not pin connections forever. */
  requestTimeoutMs: 30_000,
  /** fastify's default. */
  keepAliveTimeoutMs: 72_000,
  /**
   * A flood of connections (each an fd, buffers and parser state) must not exhaust the daemon's
   * descriptors, which its children's pipes and logs need: beyond this, new ones are dropped.
   */
  maxConnections: 256,
} as const;
