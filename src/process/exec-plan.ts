// What the spawner really executes for a SpawnSpec: the program itself, or the program behind
// `sh` (redirect_stderr without real pipes) and/or behind util-linux's setpriv (user= with the
// user's supplementary groups). Pure, so each combination is table-tested.

/** The parts of a SpawnSpec that decide the command line. */
export interface ExecRequest {
  readonly file: string;
  readonly argv: readonly string[];
  readonly uid: number | null;
  readonly gid: number | null;
}

export interface ExecPlan {
  readonly file: string;
  readonly args: readonly string[];
  readonly argv0: string;
  /** For Node's spawn options: null when setpriv (or nobody) changes the user. */
  readonly uid: number | null;
  readonly gid: number | null;
}

// Without real pipes, `sh -c 'exec "$@" 2>&1'` merges stderr into stdout at the fd level and then
// becomes the program (same pid), which Node's stdio options cannot express.
const REDIRECT_TRAMPOLINE = ['-c', 'exec "$@" 2>&1', 'tssupervisord-redirect'];

export interface ExecContext {
  /** Run through `sh` to join stderr to stdout (no real pipes for this child). */
  readonly trampoline: boolean;
  /** The path of setpriv(1), or null where util-linux's setpriv is not installed. */
  readonly setpriv: string | null;
}

/**
 * Node can set a child's uid and gid but not its supplementary groups (it clears them), while
 * supervisord's user= calls initgroups(). setpriv --init-groups does exactly that and then execs
 * the program, so the pid is the program's; the program's argv[0] becomes its path.
 */
export function execPlan(req: ExecRequest, ctx: ExecContext): ExecPlan {
  const [file, args, argv0] = ctx.trampoline
    ? ['/bin/sh', [...REDIRECT_TRAMPOLINE, req.file, ...req.argv.slice(1)], '/bin/sh']
    : [req.file, req.argv.slice(1), req.argv[0] ?? req.file];
  if (req.uid === null || req.gid === null || ctx.setpriv === null) return { file, args, argv0, uid: req.uid, gid: req.gid };
  return {
    file: ctx.setpriv,
    args: [`--reuid=${req.uid}`, `--regid=${req.gid}`, '--init-groups', '--', file, ...args],
    argv0: 'setpriv',
    uid: null,
    gid: null,
  };
}
