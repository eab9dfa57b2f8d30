// The resident memory of a process and all its descendants, from /proc: what max_memory limits
// (a Tomcat started by a shell wrapper, a master with its workers). It runs every 0.5 s per
// process that sets max_memory, so each sample reads only the watched tree: per process its
// `statm` (one short line) and the `children` file of each of its threads, never all of /proc.
//
// The sum counts pages shared between the processes of the tree (copy-on-write after a fork)
// once per process, as `ps` and superlance's memmon do: a limit on that sum is conservative.
// A descendant that double-forked away (re-parented to init) is no longer in the tree.

import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { listPids, procStat } from './proc-stat.js';

/** The pids in a /proc/PID/task/TID/children file ("123 456 "). */
export function parseChildPids(text: string): number[] {
  return text.split(' ').filter((word) => /^\d+$/u.test(word)).map(Number);
}

/** The resident pages (field 2) of a /proc/PID/statm line, or undefined when it is not one. */
export function parseStatmResidentPages(text: string): number | undefined {
  const resident = Number(text.split(' ')[1]);
  return Number.isInteger(resident) && resident >= 0 ? resident : undefined;
}

const AT_NULL = 0;
const AT_PAGESZ = 6;

/** AT_PAGESZ from the auxiliary vector (/proc/self/auxv: pairs of native words, AT_NULL last),
 *  as libc's sysconf(_SC_PAGESIZE) has it; undefined when the vector does not hold it. */
export function parseAuxvPageSize(auxv: Buffer, wordBytes: 4 | 8, littleEndian: boolean): number | undefined {
  const word = (at: number): number => {
    if (wordBytes === 4) return littleEndian ? auxv.readUInt32LE(at) : auxv.readUInt32BE(at);
    return Number(littleEndian ? auxv.readBigUInt64LE(at) : auxv.readBigUInt64BE(at));
  };
  for (let at = 0; at + 2 * wordBytes <= auxv.length; at += 2 * wordBytes) {
    const type = word(at);
    if (type === AT_NULL) return undefined;
    if (type === AT_PAGESZ) return word(at + wordBytes);
  }
  return undefined;
}

/** Where the descendants come from: each process's children, or undefined once it is gone. */
export interface TreeSource {
  childrenOf(pid: number): readonly number[] | undefined;
  residentBytes(pid: number): number | undefined;
}

/** The summed resident bytes of `root` and its descendants; undefined when `root` is gone.
 *  A descendant that exits while the tree is read just drops out of the sum. */
export function sumTreeRss(root: number, source: TreeSource): number | undefined {
  const rootRss = source.residentBytes(root);
  if (rootRss === undefined) return undefined;
  let total = rootRss;
  // pid reuse while reading could make a "child" an ancestor: each pid is counted once.
  const seen = new Set([root]);
  const queue = [...source.childrenOf(root) ?? []];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    if (seen.has(pid)) continue;
    seen.add(pid);
    const rss = source.residentBytes(pid);
    if (rss === undefined) continue;
    total += rss;
    queue.push(...source.childrenOf(pid) ?? []);
  }
  return total;
}

const readBuffer = Buffer.alloc(4096);

/** A small /proc file's text, read into one shared buffer: a third of readFileSync's cost (no
 *  fstat, no buffer per call), and this runs for each thread of each watched process twice a
 *  second. Read to the end: a `children` file of many children spans reads. */
function readText(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    let text = '';
    for (let n = readSync(fd, readBuffer); n > 0; n = readSync(fd, readBuffer)) text += readBuffer.toString('latin1', 0, n);
    return text;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

const WORD_BYTES_32 = new Set(['arm', 'ia32', 'mips', 'mipsel', 'ppc', 's390']);
let pageBytes: number | undefined;

/** The kernel's page size (statm counts pages); 4096 if the auxiliary vector cannot be read. */
export function pageSize(): number {
  if (pageBytes === undefined) {
    let auxv: Buffer | undefined;
    try {
      auxv = readFileSync('/proc/self/auxv');
    } catch {
      auxv = undefined;
    }
    const wordBytes = WORD_BYTES_32.has(process.arch) ? 4 : 8;
    pageBytes = (auxv === undefined ? undefined : parseAuxvPageSize(auxv, wordBytes, isLittleEndian())) ?? 4096;
  }
  return pageBytes;
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function residentBytes(pid: number): number | undefined {
  const text = readText(`/proc/${pid}/statm`);
  const pages = text === undefined ? undefined : parseStatmResidentPages(text);
  return pages === undefined ? undefined : pages * pageSize();
}

/** A process's children from the `children` file of each of its threads (a child belongs to
 *  the thread that forked it). Needs CONFIG_PROC_CHILDREN, which common kernels have. */
function childrenFromTasks(pid: number): number[] | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  return tasks.flatMap((tid) => parseChildPids(readText(`/proc/${pid}/task/${tid}/children`) ?? ''));
}

/** Without `children` files: one pass over every /proc/PID/stat per sample for the parent links.
 *  Far dearer, but a limit that silently ignored descendants would be worse. */
export function ppidScanSource(): TreeSource {
  let byParent: Map<number, number[]> | undefined;
  return {
    residentBytes,
    childrenOf(pid) {
      if (byParent === undefined) {
        byParent = new Map();
        for (const p of listPids()) {
          const ppid = procStat(p)?.ppid;
          if (ppid !== undefined) byParent.set(ppid, [...byParent.get(ppid) ?? [], p]);
        }
      }
      return byParent.get(pid) ?? [];
    },
  };
}

const taskSource: TreeSource = { residentBytes, childrenOf: childrenFromTasks };
let hasChildrenFiles: boolean | undefined;

/** How this kernel lets us find descendants: `children` files, or a scan of every parent link. */
export function treeSource(): TreeSource {
  hasChildrenFiles ??= existsSync(`/proc/self/task/${process.pid}/children`);
  return hasChildrenFiles ? taskSource : ppidScanSource();
}

/** Resident bytes of `pid` and all its descendants now; undefined when `pid` is gone. */
export function treeRss(pid: number, source: TreeSource = treeSource()): number | undefined {
  return sumTreeRss(pid, source);
}
