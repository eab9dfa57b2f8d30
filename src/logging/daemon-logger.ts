// The daemon's own activity log ("main log"), supervisord's `[supervisord] logfile`.
// The line format is ours, so a text log reads exactly like supervisord's (loggers.py:
// '%(asctime)s %(levelname)s %(message)s\n'); for json lines pino supplies child bindings and
// field serialisation. Text lines skip pino: they show neither.
// This is the only module that calls pino().
import type { LogLevel } from '../config/schema.js';
import pino from 'pino';
import { RotatingFile, writeAllSync } from './rotating-file.js';

/** supervisord's level names and numbers (loggers.py LevelsByDescription). */
export const LOG_LEVELS = {
  critical: 50,
  error: 40,
  warn: 30,
  info: 20,
  debug: 10,
  trace: 5,
  blather: 3,
} as const satisfies Record<LogLevel, number>;

export type LogLevelName = keyof typeof LOG_LEVELS;
export type LogFormat = 'text' | 'json';

// loggers.py LevelsByName: the names printed in text lines.
const SHORT_NAMES: Readonly<Record<LogLevelName, string>> = {
  critical: 'CRIT', error: 'ERRO', warn: 'WARN', info: 'INFO', debug: 'DEBG', trace: 'TRAC', blather: 'BLAT',
};

const NAMES_BY_NUMBER: ReadonlyMap<number, LogLevelName> = new Map(
  (Object.entries(LOG_LEVELS) as [LogLevelName, number][]).map(([name, num]) => [num, name]),
);

export function isLogLevelName(value: string): value is LogLevelName {
  return Object.hasOwn(LOG_LEVELS, value);
}

export interface LogRecord {
  readonly time: Date;
  readonly level: LogLevelName;
  readonly msg: string;
  /** Child bindings then per-call fields; only printed in json format. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD HH:MM:SS,mmm` in local time, like supervisord's asctime. */
export function formatAsctime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}

/** One log line, newline included. Pure: no clock, no I/O. */
export function formatLogLine(record: LogRecord, format: LogFormat): string {
  if (format === 'text') {
    return `${formatAsctime(record.time)} ${SHORT_NAMES[record.level]} ${record.msg}\n`;
  }
  const out: Record<string, unknown> = { time: record.time.toISOString(), level: record.level, msg: record.msg };
  // The record's own keys win: a field called `time` must not make the line lie about its time.
  for (const [key, value] of Object.entries(record.fields ?? {})) {
    if (!(key in out)) out[key] = value;
  }
  return `${JSON.stringify(out)}\n`;
}

export interface LogDestination {
  write(line: string): void;
  /** Several lines at once, as if written one by one (a file still rotates after the same line). */
  writeLines?(lines: readonly string[]): void;
  reopen?(): void;
  close?(): void;
}

type ErrorSink = (err: Error) => void;

/**
 * The main log file with supervisord's rotation. `syslog` is not supported: it is reported
 * through onError and the log goes to stdout instead, so nothing is silently dropped.
 */
export function fileDestination(path: string, maxBytes: number, backups: number, onError: ErrorSink): LogDestination {
  if (path === 'syslog') {
    onError(new Error('syslog logging is not supported; use a file'));
    return stdoutDestination(onError);
  }
  const file = new RotatingFile(path, { maxBytes, backups, onError });
  return {
    write: (line) => file.write(line),
    writeLines: (lines) => file.writeLines(lines),
    reopen: () => file.reopen(),
    close: () => file.close(),
  };
}

/** Foreground echo. Writes fd 1 synchronously so the last lines before exit are not lost. */
export function stdoutDestination(onError?: ErrorSink): LogDestination {
  let failing = false;
  const write = (text: string): void => {
    try {
      writeAllSync(1, Buffer.from(text, 'utf8'));
      failing = false;
    } catch (err) {
      // A closed terminal or pipe (EPIPE) would otherwise fail on every line: report once.
      if (!failing) onError?.(err instanceof Error ? err : new Error(String(err)));
      failing = true;
    }
  };
  return {
    write,
    writeLines: (lines) => {
      write(lines.join(''));
    },
  };
}

export interface DaemonLoggerOptions {
  /** Default `info`, like supervisord's `loglevel`. */
  readonly level?: LogLevelName;
  /** Default `text` (supervisord's format). */
  readonly format?: LogFormat;
  readonly destinations: readonly LogDestination[];
  /** Injectable clock for tests. */
  readonly now?: () => Date;
  /** A destination's write threw (destinations are expected to report their own I/O errors). */
  readonly onError?: ErrorSink;
  /**
   * Lines of one event-loop turn go out together, once its callbacks have run (setImmediate), and
   * at reopen, close and process exit: `start all` of 1000 logs 2000 lines in a second, each a
   * write(2) per destination otherwise. A SIGKILL loses at most the current turn's lines. Off by
   * default: a test reading right after it logs sees its line.
   */
  readonly batched?: boolean;
}

export type LogMethod = (message: string, fields?: Readonly<Record<string, unknown>>) => void;

export interface DaemonLogger {
  readonly critical: LogMethod;
  readonly error: LogMethod;
  readonly warn: LogMethod;
  readonly info: LogMethod;
  readonly debug: LogMethod;
  readonly trace: LogMethod;
  readonly blather: LogMethod;
  isEnabled(level: LogLevelName): boolean;
  /** A logger whose json lines carry these bindings (e.g. `{ process: 'web', group: 'web' }`). */
  child(bindings: Readonly<Record<string, unknown>>): DaemonLogger;
  /** Reopen every file destination (SIGUSR2). Shared by all children. */
  reopen(): void;
  /** Close every destination; later lines are dropped. Shared by all children. */
  close(): void;
}

type PinoLogger = pino.Logger<LogLevelName>;
const NO_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({});

/** One method per level, each made by `make`. */
function levelMethods(make: (name: LogLevelName) => LogMethod): Record<LogLevelName, LogMethod> {
  return {
    critical: make('critical'), error: make('error'), warn: make('warn'), info: make('info'),
    debug: make('debug'), trace: make('trace'), blather: make('blather'),
  };
}

export function createDaemonLogger(options: DaemonLoggerOptions): DaemonLogger {
  const level = options.level ?? 'info';
  if (!isLogLevelName(level)) throw new Error(`bad logging level name '${String(level)}'`);
  const format = options.format ?? 'text';
  const now = options.now ?? (() => new Date());
  const destinations = [...options.destinations];
  let closed = false;
  const batched = options.batched === true;
  let pending: string[] = [];
  const toDestinations = (write: (d: LogDestination) => void): void => {
    for (const destination of destinations) {
      try {
        write(destination);
      } catch (err) {
        options.onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };
  const flush = (): void => {
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    toDestinations((d) => {
      if (d.writeLines === undefined) for (const line of lines) d.write(line);
      else d.writeLines(lines);
    });
  };
  if (batched) process.on('exit', flush);

  const emit = (record: LogRecord): void => {
    if (closed) return;
    const line = formatLogLine(record, format);
    if (!batched) {
      toDestinations((d) => {
        d.write(line);
      });
      return;
    }
    if (pending.length === 0) setImmediate(flush);
    pending.push(line);
  };

  const reopen = (): void => {
    flush();
    for (const d of destinations) d.reopen?.();
  };
  const close = (): void => {
    if (closed) return;
    flush();
    closed = true;
    process.off('exit', flush);
    for (const d of destinations) d.close?.();
  };

  // A text line is time, level and message: it never shows fields or bindings, so pino (whose
  // work is serialising them into JSON) is not asked at all. `stop all` of 1000 logs 1000 lines
  // in a fraction of a second, and building and then dropping a JSON string for each was ~5% of it.
  if (format === 'text') {
    const threshold = LOG_LEVELS[level];
    const enabled = (name: LogLevelName): boolean => LOG_LEVELS[name] >= threshold;
    const text: DaemonLogger = {
      ...levelMethods((name) => (message) => {
        if (enabled(name)) emit({ time: now(), level: name, msg: message });
      }),
      isEnabled: enabled,
      child: () => text,
      reopen,
      close,
    };
    return text;
  }

  // pino serialises bindings and fields into its JSON line; level and message come from the
  // metadata pino sets on the stream just before each write, so fields cannot spoof them.
  const sink = {
    [pino.symbols.needsMetadataGsym]: true as const,
    lastLevel: 0,
    lastMsg: '',
    lastTime: '',
    lastObj: {},
    lastLogger: undefined as unknown as pino.Logger,
    write(json: string): void {
      emit({
        time: now(),
        level: NAMES_BY_NUMBER.get(sink.lastLevel) ?? 'info',
        msg: sink.lastMsg,
        fields: JSON.parse(json) as Record<string, unknown>,
      });
    },
  };

  const wrap = (logger: PinoLogger): DaemonLogger => {
    return {
      ...levelMethods((name) => (message, fields) => {
        // Always pass an object first so pino never applies printf-style `%s` interpolation.
        logger[name](fields ?? NO_FIELDS, message);
      }),
      isEnabled: (name) => logger.isLevelEnabled(name),
      child: (bindings) => wrap(logger.child({ ...bindings })),
      reopen,
      close,
    };
  };
  return wrap(pino<LogLevelName, true>(
    {
      level,
      customLevels: LOG_LEVELS,
      useOnlyCustomLevels: true,
      base: null,
      timestamp: false,
      formatters: { level: (label) => ({ level: label }) },
    },
    sink,
  ));
}
