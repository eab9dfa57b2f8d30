// The V8 flags the daemon runs under. A supervisor sits next to the programs it guards on every
// host, so its memory is theirs, and it spends its life waiting: it has no hot loop that an
// optimising compiler would pay for. Measured on the 2-core test machine (bench/scale.mjs, 1000
// `sleep` programs with a log file per stream):
//   --jitless               no optimising/baseline compilers: ~9 MB less at idle (their code pages
//                           in the node binary are never touched, no compiled code in the heap)
//                           and ~12 KB less per program, while status at 1000 and log throughput
//                           stay where they were (their time is in syscalls and the client)
//   --max-semi-space-size=1 a 1 MB nursery instead of up to 2 x 16 MB: startup's burst of
//                           allocation grew it to 33 MB at 1000 programs, and V8 kept it
//   --optimize-for-size     V8's smaller-heap heuristics: ~2 MB
//   --no-expose-wasm        what --jitless implies anyway (no WebAssembly, which nothing here
//                           uses), said outright so V8 does not warn about it at every start
// Node only takes them on its command line (not from the running process, and NODE_OPTIONS
// refuses --optimize-for-size), so the bin's shebang carries them and relaunch.ts adds them when
// the daemon was started as `node tssupervisord.js` without them. TSSUPERVISORD_NODE_FLAGS
// replaces the list ('' for none).

export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--jitless', '--no-expose-wasm', '--optimize-for-size'];

export const NODE_FLAGS_ENV = 'TSSUPERVISORD_NODE_FLAGS';

/** The flags wanted: DAEMON_NODE_FLAGS, or the override's whitespace-separated list. */
export function wantedNodeFlags(env: Readonly<Record<string, string | undefined>>): string[] {
  const override = env[NODE_FLAGS_ENV];
  return override === undefined ? [...DAEMON_NODE_FLAGS] : override.split(/\s+/u).filter((f) => f !== '');
}

/** A flag's name as node and V8 compare them: `--no-x`, `--x=1` and `--x` name one flag; `_` is `-`. */
function flagName(flag: string): string {
  return (flag.split('=')[0] ?? flag).replaceAll('_', '-').replace(/^--no-/u, '--');
}

/** The wanted flags that node's own flags (process.execArgv) do not already set, one way or the other. */
export function missingNodeFlags(execArgv: readonly string[], wanted: readonly string[]): string[] {
  const given = new Set(execArgv.map(flagName));
  return wanted.filter((flag) => !given.has(flagName(flag)));
}
