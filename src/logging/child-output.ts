// A child's stdout/stderr -> its log files (rotating as supervisord rotates), or drained and
// dropped for NONE so the child never blocks on a full pipe. Files are written off the event loop
// (log-file.ts), and a pipe stops being read while its file holds more than its share of unwritten
// bytes: a child that writes faster than the disk is slowed by its own pipe, never buffered without
// bound in the daemon, and a stuck disk never stalls supervision.
// Where supervisord's dispatchers do more than log, so does this: capture mode (capture-mode.ts),
// PROCESS_LOG / PROCESS_COMMUNICATION facts for the event flow, and an eventlistener's stdout
// handed to its protocol reader. Without capture and events a chunk takes the plain path, which
// does nothing per chunk beyond writing it.

import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { posix as path } from 'node:path';
import { Readable } from 'node:stream';
import type { ChannelConfig, ProcessConfig } from '../config/schema.js';
import type { ChildOutput } from '../process/runner.js';
import type { ChildHandle, OutputPipe } from '../process/spawner.js';
import { filesOpenAnywhere } from '../host/open-files.js';
import { CaptureMode, type CaptureOutput } from './capture-mode.js';
import { ansiStripper, lineTimestamper, type ChunkFilter } from './output-filters.js';
import { decodedOrUndecodable, pyBytesRepr } from './python-bytes-repr.js';
import { LogFile, type LogFileOptions } from './log-file.js';
import { RunOutput } from './output-tail.js';

export type Channel = 'stdout' | 'stderr';

/** An output fact for the event flow: the bytes are the subscriber's own (copied). */
export interface OutputFact {
  readonly kind: 'log' | 'comm';          // PROCESS_LOG_* or PROCESS_COMMUNICATION_*
  readonly channel: 'stdout' | 'stderr';
  readonly pid: number;                   // the child's pid at the time (supervisord's process.pid)
  readonly data: Buffer;                  // log: the chunk as logged (after strip_ansi); comm: the captured text
}

export interface ChildOutputOptions {
  readonly childlogdir: string;
  readonly identifier: string;
  readonly onError: (message: string) => void;
  /**
   * loglevel=debug: supervisord's debug lines about child output, each piece it logs
   * (`'x' stdout output:\n…`) and each comm event (`'x' stdout emitted a comm event`).
   */
  readonly debugOutput?: (message: string) => void;
  /**
   * PROCESS_LOG_* facts (each piece logged, on a channel with `*_events_enabled`) and
   * PROCESS_COMMUNICATION_* facts (each END token, on a channel with `*_capture_maxbytes`).
   * Called synchronously, from the pipe's read; a throw is reported through onError. `process` is
   * whose output it is, so one options object can serve every program.
   */
  readonly onOutputFact?: (fact: OutputFact, process: ProcessConfig) => void;
}

/** An eventlistener's stdout, for its protocol reader: each chunk as read, a copy of its own. */
export type StdoutProtocol = (chunk: Buffer) => void;

/** A watcher of a run's raw output (ready=log:): the chunk is a view of the shared read buffer. */
export type OutputWatcher = (chunk: Buffer, channel: Channel) => void;

export interface ChildLogs extends ChildOutput {
  /**
   * Starts reading the child's pipes. With `stdoutProtocol` (an eventlistener's process), stdout
   * is logged and echoed as supervisord's PEventListenerDispatcher does and then handed on: no
   * capture mode and no PROCESS_LOG facts for it. Its stderr is an ordinary channel.
   */
  attach(child: ChildHandle, stdoutProtocol?: StdoutProtocol): void;
  /** The log file paths, '' when none (as supervisord's getProcessInfo reports them). */
  readonly stdoutPath: string;
  readonly stderrPath: string;
  reopen(): void;
  /** clearProcessLogs: empty the files (rotated ones stay, as supervisord's removal + reopen). */
  clear(): void;
  /** Resolves once what was read is written and the files are closed. */
  close(): Promise<void>;
  /**
   * Tells fn every chunk of both channels as read from the pipes (before capture mode, strip_ansi
   * and timestamps), with its channel, until the returned function unsubscribes it: the chunks of
   * whichever run is attached (ready=log: watches one run and unsubscribes at its end). The chunk
   * is only valid during the call (the shared read buffer): copy what you keep. A throw is
   * reported through onError. With nobody watching, a chunk costs one size check.
   */
  watch(fn: OutputWatcher): () => void;
  /**
   * Bytes read from the child's pipe on `channel` since these logs were made, every run, before
   * any filter: what the child wrote, whatever its logfile (NONE and capture mode included). With
   * redirect_stderr both streams come through stdout. Two numbers per program (for /metrics).
   */
  bytesRead(channel: Channel): number;
}

/** supervisord's AUTO name: `<name>-<channel>---<identifier>-<8 random chars>.log`, mode 0600. */
function autoLogPath(dir: string, name: string, channel: Channel, identifier: string): string {
  const suffix = randomBytes(6).toString('base64url').slice(0, 8).toLowerCase().replace(/[^a-z0-9]/gu, '_');
  const file = path.join(dir, `${name}-${channel}---${identifier}-${suffix}.log`);
  closeSync(openSync(file, 'a', 0o600));
  return file;
}

/**
 * Deletes AUTO logs of earlier runs (supervisord does this at start and reload, unless nocleanup),
 * but not those of another daemon that is still running with the same childlogdir: supervisord
 * deletes them too, and that daemon goes on writing into deleted files. Its AUTO logs are held
 * open by it (each stays open for the process's life), so a log that any live process has open
 * is kept, with its rotated backups (`.1` … `.N`, closed files that belong to the open one).
 * A daemon calls this at reload after closing its own logs, so its own old logs do go.
 */
export function clearAutoLogs(childlogdir: string, identifier: string,
  openAnywhere: (paths: ReadonlySet<string>) => ReadonlySet<string> = filesOpenAnywhere): string[] {
  const escaped = identifier.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
  const pattern = new RegExp(`^.+?---${escaped}-\\S+\\.log\\.?\\d{0,4}$`, 'u');
  const removed: string[] = [];
  let names: string[];
  let dir: string;
  try {
    names = readdirSync(childlogdir).filter((n) => pattern.test(n));
    // /proc/<pid>/fd links name files by their real path.
    dir = realpathSync(childlogdir);
  } catch {
    return removed;
  }
  const baseOf = (name: string): string => path.join(dir, name.replace(/\.log\.\d*$/u, '.log'));
  const inUse = openAnywhere(new Set(names.map(baseOf)));
  for (const name of names.filter((n) => !inUse.has(baseOf(n)))) {
    rmSync(path.join(childlogdir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function logFile(p: ProcessConfig, channel: Channel, c: ChannelConfig, options: ChildOutputOptions): LogFile | null {
  let file: string;
  if (c.logfile.kind === 'none') return null;
  if (c.logfile.kind === 'auto') {
    try {
      file = autoLogPath(options.childlogdir, p.name, channel, options.identifier);
    } catch (error) {
      options.onError(`could not create AUTO ${channel} log for ${p.name} in ${options.childlogdir}: ${(error as Error).message}`);
      return null;
    }
  } else {
    file = c.logfile.path;
  }
  return new LogFile(file, { maxBytes: c.maxBytes, backups: c.backups, label: `${p.name} ${channel}`, ...fileReportsOf(options) });
}

type FileReports = Required<Pick<LogFileOptions, 'onError' | 'onRecreate'>>;

/** The reports of every file made with `options`: one pair of callbacks, not a pair per file. */
const fileReports = new WeakMap<ChildOutputOptions, FileReports>();

function fileReportsOf(options: ChildOutputOptions): FileReports {
  let reports = fileReports.get(options);
  if (reports === undefined) {
    reports = {
      onError: (err, f) => {
        options.onError(`${f.label} log ${f.path}: ${err.message}; output is dropped until it can be written`);
      },
      onRecreate: (_path, f) => {
        options.onError(`${f.label} log ${f.path} was removed while in use: recreated it (and its folder) and reopened; up to a second of output went to the removed file`);
      },
    };
    fileReports.set(options, reports);
  }
  return reports;
}

// One read buffer shared by every child pipe. libuv reads into it and calls back synchronously,
// and every consumer (LogFile.write copies what it keeps, the filters, the debug echo, capture
// mode's held bytes, the facts and the protocol tap, which get copies) is done with the bytes
// before returning, so the next read - on any pipe - may overwrite them. Without it Node allocates
// a fresh 64 KiB Buffer per read, and a child writing at 1 GB/s leaves ~40 MB of them for the GC
// to collect late (measured by bench/log-throughput). Up to GROWN_PIPE per read (supervisord
// reads up to 128 KiB): only a grown pipe holds that much.
const GROWN_PIPE = 256 * 1024;
const READ_BUFFER = Buffer.allocUnsafe(GROWN_PIPE);

/**
 * A pipe's capacity as pipe2() makes it (Linux: 16 pages). A read that takes this much found the
 * pipe full: its child writes faster than it is read, and each read is then one 64 KiB chunk, its
 * per-read cost (a loop turn, callbacks, a copy into the file's slab) paid 16 times per MiB. Such
 * a pipe is grown to GROWN_PIPE, once: a flooding child then costs ~30% less daemon CPU per byte
 * (bench/log-throughput on tmpfs: 0.45-0.63 -> 0.35-0.42 s per 512 MiB). Only pipes seen full grow, as
 * every pipe's capacity counts against its user's pipe-user-pages-soft, past which a user without
 * CAP_SYS_RESOURCE gets 8 KiB pipes: 1000 quiet programs keep the kernel's default.
 */
const DEFAULT_PIPE = 64 * 1024;

interface StreamHandle {
  readonly useUserBuffer?: unknown;
}

/** Where a pipe's chunks go: false from write() means "stop reading until onDrain calls back". */
interface ChunkSink {
  write(chunk: Buffer): boolean;
  onDrain(resume: () => void): void;
  /** The pipe is closed: nothing more will come. */
  end?(): void;
}

const DISCARD: ChunkSink = { write: () => true, onDrain: (resume) => { resume(); } };

/** Pauses `stream` while `sink` is full: the child then waits on its own pipe, as supervisord's does. */
function feed(stream: Readable, sink: ChunkSink, chunk: Buffer): void {
  if (sink.write(chunk)) return;
  stream.pause();
  sink.onDrain(() => {
    if (!stream.destroyed) stream.resume();
  });
}

/**
 * Re-home the pipe's libuv handle in a Socket that reads into READ_BUFFER (net's `onread`
 * option, which only a constructor accepts). Relies on net.Socket's `_handle`; returns false,
 * leaving the stream untouched, if it is not a fresh socket over a libuv stream handle.
 */
function readIntoSharedBuffer(stream: Readable, sink: ChunkSink): boolean {
  if (!(stream instanceof Socket) || stream.readableLength > 0 || stream.destroyed) return false;
  const owner = stream as unknown as { _handle: StreamHandle | null | undefined };
  const handle = owner._handle;
  if (handle === null || handle === undefined || typeof handle.useUserBuffer !== 'function') return false;
  owner._handle = null;
  // Declared before use in the callback: libuv calls back only after the constructor returned.
  let reader: Socket | null = null;
  const options = {
    handle,
    readable: true,
    writable: false,
    onread: {
      buffer: READ_BUFFER,
      callback: (bytes: number, buf: Uint8Array) => {
        if (reader !== null) feed(reader, sink, Buffer.from(buf.buffer, buf.byteOffset, bytes));
      },
    },
  };
  reader = new Socket(options);
  reader.on('error', () => undefined);
  if (sink.end !== undefined) reader.once('close', sink.end.bind(sink));
  // The original socket lost its handle: close it with the reader, so ChildProcess 'close' fires,
  // and the reader with it, so whoever owns the stream (the spawner, at exit) can close the pipe.
  reader.once('close', () => stream.destroy());
  stream.once('close', () => reader.destroy());
  reader.resume();
  return true;
}

/** A native spawner's pipe: its one Socket, reading into READ_BUFFER from the start. */
function readPipe(pipe: OutputPipe, sink: ChunkSink): void {
  // Declared before use in the callback: libuv calls back only after read() returned.
  let reader: Socket | null = null;
  let grown = pipe.grow === undefined;
  reader = pipe.read({
    buffer: READ_BUFFER,
    callback: (bytes, buf) => {
      if (!grown && bytes >= DEFAULT_PIPE) {
        grown = true;
        pipe.grow?.(GROWN_PIPE);
      }
      if (reader !== null) feed(reader, sink, Buffer.from(buf.buffer, buf.byteOffset, bytes));
      return undefined;
    },
  });
  if (sink.end !== undefined) reader.once('close', sink.end.bind(sink));
}

function pump(stream: Readable | OutputPipe | null, sink: ChunkSink | null): void {
  if (stream === null) return;
  if (!(stream instanceof Readable)) {
    readPipe(stream, sink ?? DISCARD);
    return;
  }
  if (readIntoSharedBuffer(stream, sink ?? DISCARD)) return;
  if (sink === null) {
    stream.resume();
    return;
  }
  stream.on('data', (chunk: Buffer) => {
    feed(stream, sink, chunk);
  });
  if (sink.end !== undefined) stream.once('close', sink.end.bind(sink));
}

/** Hands `value` to a callback that is not ours: its throw is reported, never thrown into the pipe's read. */
function handOn<T>(to: (value: T) => void, value: T, onError: (message: string) => void, what: string): void {
  try {
    to(value);
  } catch (error) {
    onError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** How one channel's bytes are logged: strip_ansi, then the debug echo, then timestamps and the file. */
interface ChannelLog {
  readonly name: string;
  readonly channel: Channel;
  readonly file: LogFile | null;
  readonly debug: ((message: string) => void) | undefined;
  readonly stamp: ChunkFilter | null;
}

function channelLog(p: ProcessConfig, channel: Channel, file: LogFile | null, options: ChildOutputOptions): ChannelLog {
  return { name: p.name, channel, file, debug: options.debugOutput, stamp: p[channel].timestamps ? lineTimestamper() : null };
}

/** Resumes a paused pipe once `file` can take more (at once without a file). */
function drainInto(file: LogFile | null, resume: () => void): void {
  if (file === null) resume();
  else file.onDrain(resume);
}

/**
 * A chunk is logged as read (supervisord's record_output shortcut), with no event. A class, as
 * every program has one per channel and run: its methods are shared, not closures of each.
 */
class PlainSink implements ChunkSink {
  private readonly log: ChannelLog;
  private readonly strip: ChunkFilter | null;

  constructor(log: ChannelLog, strip: ChunkFilter | null) {
    this.log = log;
    this.strip = strip;
  }

  write(chunk: Buffer): boolean {
    const { strip, log: { debug, file, stamp } } = this;
    const data = strip === null ? chunk : strip(chunk);
    debug?.(`'${this.log.name}' ${this.log.channel} output:\n${decodedOrUndecodable(data)}`);
    return file === null ? true : file.write(stamp === null ? data : stamp(data));
  }

  onDrain(resume: () => void): void {
    drainInto(this.log.file, resume);
  }
}

/** A chunk is logged as read, with no event; null when it goes nowhere (no file, no debug echo). */
function plainSink(log: ChannelLog, strip: ChunkFilter | null): ChunkSink | null {
  if (log.file === null && log.debug === undefined) return null;
  return new PlainSink(log, strip);
}

/**
 * supervisord's POutputDispatcher with its capture log and events: each piece `_log` logs goes to
 * the file (unless captured), the debug echo and, with events enabled, a PROCESS_LOG fact; each
 * END token makes a PROCESS_COMMUNICATION fact.
 */
function eventSink(log: ChannelLog, capture: CaptureMode, pid: number, events: boolean,
  p: ProcessConfig, options: ChildOutputOptions): ChunkSink {
  const { name, channel, file, debug, stamp } = log;
  const { onOutputFact: onFact, onError } = options;
  // Made once per sink, not per fact: this runs for every chunk a channel with events logs.
  const tell = onFact === undefined ? undefined : (f: OutputFact): void => {
    onFact(f, p);
  };
  const emit = (fact: OutputFact): void => {
    if (tell !== undefined) handOn(tell, fact, onError, `${name} ${channel} ${fact.kind} event subscriber`);
  };
  // false once a write of this chunk found the file full (the pipe then waits for onDrain).
  let writable = true;
  const toFile = (data: Buffer): void => {
    if (file !== null && !file.write(stamp === null ? data : stamp(data))) writable = false;
  };
  const out: CaptureOutput = {
    logged(data, captured) {
      if (!captured) toFile(data);
      debug?.(`'${name}' ${channel} output:\n${decodedOrUndecodable(data)}`);
      // A copy: `data` may be a view of the shared read buffer.
      if (events) emit({ kind: 'log', channel, pid, data: Buffer.from(data) });
    },
    communicated(data) {
      emit({ kind: 'comm', channel, pid, data });
      debug?.(`'${name}' ${channel} emitted a comm event`);
    },
  };
  return {
    write(chunk) {
      writable = true;
      capture.feed(chunk, out);
      return writable;
    },
    onDrain: (resume) => {
      drainInto(file, resume);
    },
    end() {
      // supervisord never logs what it still holds back at the end; its log file loses nothing here.
      toFile(capture.end());
    },
  };
}

/**
 * PEventListenerDispatcher's stdout: echoed at debug as supervisord echoes it (the raw bytes'
 * Python repr), logged as read, then a copy to the protocol reader.
 */
function protocolSink(logged: ChunkSink | null, protocol: StdoutProtocol, name: string, options: ChildOutputOptions): ChunkSink {
  const { debugOutput: debug, onError } = options;
  return {
    write(chunk) {
      debug?.(`'${name}' stdout output:\n${pyBytesRepr(chunk)}`);
      const writable = logged === null ? true : logged.write(chunk);
      handOn(protocol, Buffer.from(chunk), onError, `${name} eventlistener protocol reader`);
      return writable;
    },
    onDrain: logged === null ? (resume) => { resume(); } : logged.onDrain.bind(logged),
  };
}

/**
 * One channel of one run: each chunk kept in the run's tail (crash history), told to the output
 * watchers (nothing more while there are none), then to the channel's sink; the pipe's close is
 * told to both. One object per channel and run, its methods shared.
 */
class RunChannel implements ChunkSink {
  private readonly logs: ChildLogFiles;
  private readonly channel: Channel;
  private readonly sink: ChunkSink | null;
  private readonly run: RunOutput;

  constructor(logs: ChildLogFiles, channel: Channel, sink: ChunkSink | null, run: RunOutput) {
    this.logs = logs;
    this.channel = channel;
    this.sink = sink;
    this.run = run;
  }

  write(chunk: Buffer): boolean {
    this.logs.countRead(this.channel, chunk.length);
    this.run.push(this.channel, chunk);
    this.logs.tellWatchers(chunk, this.channel);
    return this.sink === null ? true : this.sink.write(chunk);
  }

  onDrain(resume: () => void): void {
    if (this.sink === null) resume();
    else this.sink.onDrain(resume);
  }

  end(): void {
    this.sink?.end?.();
    this.run.pipeClosed();
  }
}

/**
 * A program's log files and what each run's output goes through. A class: every program has one,
 * and its methods are then shared rather than a set of closures per program; what most programs
 * never use (watchers, capture modes) is made only when first needed.
 */
class ChildLogFiles implements ChildLogs {
  readonly stdoutPath: string;
  readonly stderrPath: string;
  private readonly p: ProcessConfig;
  private readonly options: ChildOutputOptions;
  private readonly stdoutFile: LogFile | null;
  private readonly stderrFile: LogFile | null;
  /** The capture modes of the current run (supervisord makes new dispatchers at each spawn). */
  private captures: CaptureMode[] | null = null;
  private watchers: Set<OutputWatcher> | null = null;
  /** The current run's last lines (null before the first spawn). */
  private run: RunOutput | null = null;
  private stdoutBytes = 0;
  private stderrBytes = 0;

  constructor(p: ProcessConfig, options: ChildOutputOptions) {
    this.p = p;
    this.options = options;
    this.stdoutFile = logFile(p, 'stdout', p.stdout, options);
    this.stderrFile = p.redirectStderr ? null : logFile(p, 'stderr', p.stderr, options);
    this.stdoutPath = this.stdoutFile?.path ?? '';
    this.stderrPath = this.stderrFile?.path ?? '';
  }

  attach(child: ChildHandle, stdoutProtocol?: StdoutProtocol): void {
    const { p, options } = this;
    this.captures = null;
    const run = new RunOutput(child.stderr === null ? 1 : 2);
    this.run = run;
    const stdout = stdoutProtocol === undefined
      ? this.sinkFor('stdout', child.pid)
      : protocolSink(plainSink({ ...channelLog(p, 'stdout', this.stdoutFile, options), debug: undefined }, this.stripper()),
        stdoutProtocol, p.name, options);
    pump(child.stdout, new RunChannel(this, 'stdout', stdout, run));
    if (child.stderr !== null) pump(child.stderr, new RunChannel(this, 'stderr', this.sinkFor('stderr', child.pid), run));
  }

  reopen(): void {
    for (const f of this.files()) f.reopen();
  }

  clear(): void {
    // supervisord's removelogs empties the capture buffer too (BoundIO's handler.remove).
    for (const c of this.captures ?? []) c.clearCapture();
    for (const f of this.files()) {
      // What was read before the clear belongs to the file being removed.
      f.discardQueued();
      rmSync(f.path, { force: true });
      f.reopen();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.files().map(async (f) => f.close()));
  }

  lastRun(): RunOutput | null {
    return this.run;
  }

  watch(fn: OutputWatcher): () => void {
    // A wrapper of our own, so the same function watching twice is two subscriptions.
    const watcher: OutputWatcher = (chunk, channel) => { fn(chunk, channel); };
    const watchers = (this.watchers ??= new Set());
    watchers.add(watcher);
    return () => { watchers.delete(watcher); };
  }

  bytesRead(channel: Channel): number {
    return channel === 'stdout' ? this.stdoutBytes : this.stderrBytes;
  }

  countRead(channel: Channel, bytes: number): void {
    if (channel === 'stdout') this.stdoutBytes += bytes;
    else this.stderrBytes += bytes;
  }

  /** A chunk as read, to every watcher; a throw is reported, never thrown into the pipe's read. */
  tellWatchers(chunk: Buffer, channel: Channel): void {
    const { watchers } = this;
    if (watchers === null || watchers.size === 0) return;
    for (const watcher of watchers) {
      try {
        watcher(chunk, channel);
      } catch (error) {
        this.options.onError(`${this.p.name} ${channel} output watcher failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private files(): LogFile[] {
    return [this.stdoutFile, this.stderrFile].filter((f) => f !== null);
  }

  /** Per run: the stripper keeps state across reads. */
  private stripper(): ChunkFilter | null {
    return this.p.stripAnsi ? ansiStripper() : null;
  }

  private sinkFor(channel: Channel, pid: number): ChunkSink | null {
    const { p, options } = this;
    const c: ChannelConfig = p[channel];
    const log = channelLog(p, channel, channel === 'stdout' ? this.stdoutFile : this.stderrFile, options);
    const strip = this.stripper();
    const events = c.eventsEnabled && options.onOutputFact !== undefined;
    if (c.captureMaxBytes === 0 && !events) return plainSink(log, strip);
    const capture = new CaptureMode(c.captureMaxBytes, strip ?? undefined);
    (this.captures ??= []).push(capture);
    return eventSink(log, capture, pid, events, p, options);
  }
}

export function createChildLogs(p: ProcessConfig, options: ChildOutputOptions): ChildLogs {
  return new ChildLogFiles(p, options);
}

/**
 * Log files that more than one process writes to (rotation would lose lines): path -> names.
 * A character device (/dev/null, a tty) is not one: nothing in it is rotated or read back, and
 * supervisord says nothing of `stdout_logfile=/dev/null` on every program. NONE is no file at all.
 */
export function sharedLogFiles(processes: readonly ProcessConfig[], isCharacterDevice: (file: string) => boolean): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const p of processes) {
    for (const channel of ['stdout', 'stderr'] as const) {
      const target = p[channel].logfile;
      if (target.kind !== 'file' || (channel === 'stderr' && p.redirectStderr)) continue;
      const resolved = path.resolve(target.path);
      users.set(resolved, [...(users.get(resolved) ?? []), `${p.group}:${p.name} ${channel}`]);
    }
  }
  return new Map([...users].filter(([file, names]) => names.length > 1 && !isCharacterDevice(file)));
}
