// What the daemon tells systemd, and when (sd_notify(3)): READY=1 once its control servers listen
// and the first wave of autostart programs has been spawned (main/start-wave.ts), RELOADING=1 …
// READY=1 around a reload, STOPPING=1 when a shutdown begins. READY=1 does not wait for the
// programs to reach RUNNING, nor for those waiting on depends_on: a dependency chain, a ready=
// probe or startsecs can take minutes, and systemd fails a unit not ready after TimeoutStartSec;
// what `systemctl start` promises is a supervisor that answers tssupervisorctl and has started
// what it can start at once (the programs' states are then its business).

import type { SystemdNotifier } from '../host/systemd-notify.js';

/** The daemon's moments that systemd hears about. */
export type DaemonPhase =
  | { readonly kind: 'ready'; readonly processes: number; readonly autostart: number }
  | { readonly kind: 'reloading' }
  | { readonly kind: 'reload-refused' }
  | { readonly kind: 'stopping' };

/** The datagram for `phase` (one line each; MONOTONIC_USEC is what systemd 253+ wants with RELOADING=1). */
export function notifyLines(phase: DaemonPhase, pid: number, monotonicUsec: bigint): string[] {
  switch (phase.kind) {
    case 'ready':
      return ['READY=1', `STATUS=${phase.processes} process${phase.processes === 1 ? '' : 'es'}, ${phase.autostart} autostart, started (tssupervisorctl status shows their states)`, `MAINPID=${pid}`];
    case 'reloading':
      return ['RELOADING=1', `MONOTONIC_USEC=${monotonicUsec}`, 'STATUS=reloading the config'];
    case 'reload-refused':
      return ['STATUS=reload refused: the config has problems; still running the previous config'];
    case 'stopping':
      return ['STOPPING=1', 'STATUS=stopping every program'];
  }
}

/** The daemon's phase listener that tells systemd (Node's hrtime is CLOCK_MONOTONIC, as systemd's). */
export function systemdPhaseListener(notifier: SystemdNotifier): (phase: DaemonPhase) => void {
  return (phase) => {
    notifier.notify(notifyLines(phase, process.pid, process.hrtime.bigint() / 1000n));
  };
}
