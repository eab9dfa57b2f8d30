// The spawnerr text for a spawn the kernel refused, in supervisord's words (process.py spawn():
// pipes, then fork; the child's own `couldn't exec` for a failed execve), always naming the errno
// so `too many open files` can be told from a full process table. libuv makes the pipes, forks
// and execs in one call, so the errno alone says which step failed.

/** `code` is Node's errno name ('EMFILE'), or undefined when Node gave none. */
export function spawnErrorMessage(name: string, file: string, code: string | undefined): string {
  switch (code) {
    case 'EMFILE':
      return `too many open files to spawn '${name}' (EMFILE)`;
    case 'ENFILE':
      return `unknown error making dispatchers for '${name}': ENFILE`;
    case 'EAGAIN':
      return `Too many processes in process table to spawn '${name}' (EAGAIN)`;
    case 'ENOMEM':
      return `unknown error during fork for '${name}': ENOMEM`;
    case undefined:
      return `couldn't exec ${file}: unknown error`;
    default:
      // ENOENT, EACCES, ENOEXEC, E2BIG ...: the execve itself (the file changed since the check).
      return `couldn't exec ${file}: ${code}`;
  }
}
