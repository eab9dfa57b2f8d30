// `tssupervisorctl history NAME`: a process's last ends, newest first, each on one line (when it
// ended, how long it ran, how it ended, what state that left it in) with its last lines of output
// indented under it. Pure: the entries come from getProcessHistory, the time zone from Date.

import type { ProcessEnd } from '../api/control-api.js';

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local time, `2026-12-02 02:03:19`. */
export function formatWhen(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `0.35 s`, `12.3 s` under a minute (crash loops live there), then `1h02m03s`, `2d03h04m`. */
export function formatRan(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d${pad(h)}h${pad(m)}m`;
  return h > 0 ? `${h}h${pad(m)}m${pad(s % 60)}s` : `${m}m${pad(s % 60)}s`;
}

const WHY: Readonly<Record<string, string>> = {
  stopped: 'stopped on request',
  'not ready': 'stopped: not ready within ready_timeout',
  unhealthy: 'restarted: unhealthy (health check failed)',
  max_memory: 'restarted: above max_memory',
};

function headline(end: ProcessEnd): string {
  const why = end.stopped_for === '' ? '' : `, ${WHY[end.stopped_for] ?? `stopped (${end.stopped_for})`}`;
  return `${formatWhen(end.stop)}  ran ${formatRan(end.duration_ms).padEnd(9)} pid ${end.pid}: ${end.description} `
    + `(${end.expected ? 'expected' : 'not expected'})${why} -> ${end.statename}`;
}

export function historyLines(namespec: string, ends: readonly ProcessEnd[]): string[] {
  if (ends.length === 0) return [`${namespec}: no ends since the daemon started`];
  const lines = [`${namespec}: last ${ends.length} end${ends.length === 1 ? '' : 's'}, newest first`];
  for (const end of ends) {
    lines.push(headline(end));
    const output = [...end.stdout.map((l) => `    stdout| ${l}`), ...end.stderr.map((l) => `    stderr| ${l}`)];
    lines.push(...(output.length === 0 ? ['    (no output)'] : output));
  }
  return lines;
}
