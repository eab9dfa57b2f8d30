// What a process's health check (healthcheck=) knows now, as the JSON API returns it (`health`,
// null without a health check). Here, beside the ControlApi contract, because the HTTP surface
// shows it and must not know the engine (process/health.ts keeps it up to date).

export interface HealthStatus {
  /** unchecked: not RUNNING, or no try yet; starting: within start_period; healthy: the last try
   *  tried, and no failure that counts; unhealthy: failures > 0. */
  readonly state: 'unchecked' | 'starting' | 'healthy' | 'unhealthy';
  /** Failed tries in a row that count (toward `retries`). */
  readonly failures: number;
  readonly retries: number;
  /** Why the last failed try failed (kept after a pass, for the curious); null if none yet. */
  readonly lastError: string | null;
  /** When the last try ended, epoch ms; 0 = never. */
  readonly lastCheckAt: number;
}
