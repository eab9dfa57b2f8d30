// getProcessInfo's struct and its `description`, as supervisord computes them
// (rpcinterface.py getProcessInfo / _interpretProcessInfo). Pure: time comes in as `nowMs`.

import type { ProcessInfo } from '../api/control-api.js';
import { healthSuffix, type HealthStatus } from '../process/health.js';
import type { ProcessSnapshot } from '../process/machine.js';
import { STATE_CODES } from '../process/state.js';

const INT_MAX = 2 ** 31 - 1;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const capped = (seconds: number): number => Math.min(Math.floor(seconds), INT_MAX);

/** Python timedelta text: `0:06:04`, `1 day, 2:03:04`, `5 days, 7:18:14`. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  const rest = s % 86400;
  const hms = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  return days === 0 ? hms : `${days} day${days === 1 ? '' : 's'}, ${hms}`;
}

/** strftime('%b %d %I:%M %p') in local time: `Nov 25 09:01 AM`. */
export function formatStopTime(date: Date): string {
  const hours = date.getHours();
  const h12 = hours % 12 === 0 ? 12 : hours % 12;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[date.getMonth()] ?? ''} ${pad(date.getDate())} ${pad(h12)}:${pad(date.getMinutes())} ${hours < 12 ? 'AM' : 'PM'}`;
}

export interface ProcessInfoInput {
  readonly name: string;
  readonly group: string;
  readonly snapshot: ProcessSnapshot;
  readonly stdoutLogfile: string;
  readonly stderrLogfile: string;
  readonly nowMs: number;
  /** The ready= probe's text, when the program has one. */
  readonly readyProbe?: string | null;
  /** depends_on: what a process held back from its spawn still waits for (tssupervisor extension). */
  readonly waitingFor?: readonly string[];
  /** healthcheck=: while its tries fail, the description says so (stock supervisorctl shows it). */
  readonly health?: HealthStatus | null;
}

export function processInfo(input: ProcessInfoInput): ProcessInfo {
  const { snapshot: s } = input;
  const start = capped(s.laststart / 1000);
  const stop = capped(s.laststop / 1000);
  const now = capped(input.nowMs / 1000);
  let description = '';
  if (s.state === 'STARTING' && input.readyProbe !== undefined && input.readyProbe !== null && s.pid !== 0 && s.readyBy === null) {
    // Shown by the stock supervisorctl too (it prints descriptions as they are).
    description = `not ready yet: ${input.readyProbe}`;
  } else if (s.state === 'RUNNING') {
    // supervisord subtracts whole-second UTC timestamps.
    description = `pid ${s.pid}, uptime ${formatUptime(now - start)}`;
    const unhealthy = healthSuffix(input.health ?? null);
    if (unhealthy !== null) description += `, ${unhealthy}`;
  } else if (s.state === 'FATAL' || s.state === 'BACKOFF') {
    description = s.spawnErr === null || s.spawnErr === '' ? `unknown error (try "tail ${input.name}")` : s.spawnErr;
  } else if (s.state === 'STOPPED' || s.state === 'EXITED') {
    description = start !== 0 ? formatStopTime(new Date(stop * 1000)) : 'Not started';
  }
  if (input.waitingFor !== undefined && input.waitingFor.length > 0) description = `waiting for ${input.waitingFor.join(', ')}`;
  return {
    name: input.name,
    group: input.group,
    description,
    start,
    stop,
    now,
    state: STATE_CODES[s.state],
    statename: s.state,
    spawnerr: s.spawnErr ?? '',
    exitstatus: s.exitStatus ?? 0,
    logfile: input.stdoutLogfile,
    stdout_logfile: input.stdoutLogfile,
    stderr_logfile: input.stderrLogfile,
    pid: s.pid,
  };
}
