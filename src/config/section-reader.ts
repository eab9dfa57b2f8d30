// Reads typed options out of one ini section and records every problem instead of stopping at
// the first, so an operator sees all mistakes in one run. Each problem carries the file and line
// the value came from (or the section header when the key is missing).

import { posix as path } from 'node:path';
import { expand, type Expansions } from './expand.js';
import { getRaw, type IniDocument, type RawValue } from './ini-reader.js';
import { ValueProblem } from './value-problem.js';

export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly section: string | null;
  readonly key: string | null;
  readonly value: string | null;
  readonly message: string;
}

/** `supervisord.conf:12 [program:redis] startsecs='abc': not an integer` */
export function formatIssue(issue: ConfigIssue, displayPath: (file: string) => string = (f) => f): string {
  const where = issue.line > 0 ? `${displayPath(issue.file)}:${issue.line}` : displayPath(issue.file);
  const section = issue.section === null ? '' : ` [${issue.section}]`;
  const key = issue.key === null ? '' : ` ${issue.key}${issue.value === null ? '' : `=${quote(issue.value)}`}`;
  return `${where}${section}${key}: ${issue.message}`;
}

function quote(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll("'", "\\'")}'`;
}

/** The message for an exception the reader did not expect: said plainly, never thrown on. */
export function internalError(error: unknown, what = 'this value'): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `internal error while reading ${what} (${text}); please report it`;
}

/** Collects issues for a whole parse. */
export class IssueLog {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: string[] = [];

  add(issue: ConfigIssue): void {
    // A section expanded for several process_nums reports the same mistake once.
    const same = (i: ConfigIssue): boolean => i.file === issue.file && i.line === issue.line && i.key === issue.key
      && i.section === issue.section && i.message === issue.message;
    if (!this.issues.some(same)) this.issues.push(issue);
  }
}

export interface GetOptions {
  /** Expand %(name)s (default true); `process_name` and `environment` are expanded later. */
  readonly expand?: boolean;
  readonly expansions?: Expansions;
}

export class SectionReader {
  readonly doc: IniDocument;
  readonly name: string;
  readonly file: string;
  readonly line: number;
  private readonly log: IssueLog;
  private readonly base: Expansions;
  private readonly mainDir: string;

  constructor(doc: IniDocument, name: string, log: IssueLog, base: Expansions, mainFile: string) {
    const section = doc.sections.get(name);
    this.doc = doc;
    this.name = name;
    this.file = section?.file ?? mainFile;
    this.line = section?.line ?? 0;
    this.log = log;
    this.base = base;
    this.mainDir = path.dirname(mainFile);
  }

  raw(key: string): RawValue | undefined {
    return getRaw(this.doc, this.name, key);
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  /** The option's text, expanded; `undefined` when absent or when expansion failed (recorded). */
  text(key: string, options: GetOptions = {}): string | undefined {
    const raw = this.raw(key);
    if (raw === undefined) return undefined;
    // Most values have no %: skip building the expansions (the whole environment) for them.
    if (options.expand === false || !raw.value.includes('%')) return raw.value;
    try {
      // %(here)s is the folder of the file that set this value (supervisord's expand_here).
      return expand(raw.value, [this.base, options.expansions ?? {}, { here: path.dirname(raw.file) }]);
    } catch (error) {
      this.problem(key, error);
      return undefined;
    }
  }

  /** Reads and converts an option; on a problem records it and returns the fallback. */
  get<T>(key: string, fallback: T, convert: (text: string) => T, options: GetOptions = {}): T {
    const text = this.text(key, options);
    if (text === undefined) return fallback;
    try {
      return convert(text);
    } catch (error) {
      this.problem(key, error);
      return fallback;
    }
  }

  /** Runs `fn` on already-read text, recording a ValueProblem against `key`. */
  check<T>(key: string | null, fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      this.problem(key, error);
      return fallback;
    }
  }

  /** Expands a value read with `expand: false`, against per-process expansions. */
  expandLater(key: string, text: string, expansions: Expansions): string | undefined {
    if (!text.includes('%')) return text;
    const raw = this.raw(key);
    const here = raw === undefined ? this.mainDir : path.dirname(raw.file);
    try {
      return expand(text, [this.base, expansions, { here }]);
    } catch (error) {
      this.problem(key, error);
      return undefined;
    }
  }

  /**
   * Records `error` against `key`. Anything but a ValueProblem is a bug of ours, but rethrowing it
   * took the daemon down on SIGHUP; it is recorded as an internal error on the same file:line.
   */
  problem(key: string | null, error: unknown): void {
    const raw = key === null ? undefined : this.raw(key);
    this.log.add({
      file: raw?.file ?? this.file,
      line: raw?.line ?? this.line,
      section: this.name,
      key,
      value: raw?.value ?? null,
      message: error instanceof ValueProblem ? error.message : internalError(error),
    });
  }

  /** A problem with the section as a whole (a missing required key, a bad combination). */
  sectionProblem(message: string): void {
    this.log.add({ file: this.file, line: this.line, section: this.name, key: null, value: null, message });
  }

  warn(message: string): void {
    this.log.warnings.push(message);
  }
}
