// supervisord's ini dialect, read exactly as Python's configparser.RawConfigParser reads it with
// supervisord's settings (inline_comment_prefixes=(';', '#'), strict=False) — see
// supervisor/options.py UnhosedConfigParser and cpython Lib/configparser.py _read().
//
// Why not the `ini` package: it cuts a value at any `;`/`#` (`sh -c "a;b"` loses `;b`), reads
// `key: value` as a bare key and drops continuation lines (test/ini-package.test.ts shows each).
// configparser's rules are short, so we implement them rather than patch another dialect.

import { pyIndent, pyIsSpace, pyRstrip, pyStrip } from './python-text.js';

/** One option's value with where it was last set. */
export interface RawValue {
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

export interface RawSection {
  readonly name: string;
  /** First file and line that opened this section (supervisord's section_to_file). */
  readonly file: string;
  readonly line: number;
  readonly options: Map<string, RawValue>;
}

export interface IniSyntaxError {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly message: string;
}

/** Sections accumulated over several files: a repeated section merges, a repeated key last-wins. */
export interface IniDocument {
  readonly sections: Map<string, RawSection>;
  /** configparser's DEFAULT section: a fallback for every section's options. */
  readonly defaults: Map<string, RawValue>;
  readonly errors: IniSyntaxError[];
}

export function createIniDocument(): IniDocument {
  return { sections: new Map(), defaults: new Map(), errors: [] };
}

// `s`: Python's `.` takes every character but \n (there is none in a line), so also \r and U+2028.
const SECTION_RE = /^\[(?<header>.+)\]/su;

/**
 * configparser's OPTCRE `(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$`: the first `=` or `:`
 * splits, the key may not be empty. By hand, because that regexp is quadratic in a run of
 * spaces before no delimiter (a long line would stall the reader).
 */
function splitOption(line: string): { option: string; value: string } | undefined {
  const eq = line.indexOf('=');
  const colon = line.indexOf(':');
  const at = eq === -1 ? colon : colon === -1 ? eq : Math.min(eq, colon);
  if (at === -1) return undefined;
  return { option: pyRstrip(line.slice(0, at)), value: pyStrip(line.slice(at + 1)) };
}

/** Index where an inline comment starts: `;`/`#` at column 0 or after whitespace. */
function inlineCommentStart(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if ((c === ';' || c === '#') && (i === 0 || pyIsSpace(line.charAt(i - 1)))) return i;
  }
  return -1;
}

interface Pending {
  readonly section: RawSection | 'DEFAULT';
  readonly key: string;
  readonly parts: string[];
  readonly line: number;
}

/**
 * A `key = value` line that configparser reads as an option whatever follows the `=`: no
 * indent (so never a continuation), a key of name characters (so no `:`, `;` or `#` before
 * the `=`). Only used to pass over the options of sections nobody asked for.
 */
const PLAIN_OPTION = /^[A-Za-z0-9_.-]+[ \t]*=/u;

/** A header line with nothing that the general path would strip or cut: `[program:web_1]`. */
const BARE_HEADER = /^\[([A-Za-z0-9_.:-]+)\]$/u;

/** A pending option of a section whose options are not kept: it only absorbs continuations. */
const SKIPPED: Pending = { section: 'DEFAULT', key: '', parts: [], line: 0 };

/**
 * Parses `text` (the contents of `file`) into `doc`, as configparser's read() would. With
 * `keepOnly`, the options of sections other than that one (and DEFAULT) are checked for syntax
 * errors, exactly as before, but not kept: tssupervisorctl needs [supervisorctl] of a config
 * that may hold thousands of programs.
 */
export function readIniInto(doc: IniDocument, text: string, file: string, keepOnly?: string): void {
  const lines = text.split(/\r\n|\n|\r/u);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let current: RawSection | 'DEFAULT' | null = null;
  let pending: Pending | null = null;
  let indentLevel = 0;

  const flush = (): void => {
    if (pending === null) return;
    if (pending === SKIPPED) {
      pending = null;
      return;
    }
    // configparser joins continuation pieces with '\n' and strips trailing blank lines.
    const value = pyRstrip(pending.parts.join('\n'));
    const target = pending.section === 'DEFAULT' ? doc.defaults : pending.section.options;
    target.set(pending.key, { value, file, line: pending.line });
    pending = null;
  };

  const openSection = (header: string, lineNo: number): void => {
    flush();
    if (header === 'DEFAULT') {
      current = 'DEFAULT';
      return;
    }
    let section = doc.sections.get(header);
    if (section === undefined) {
      section = { name: header, file, line: lineNo, options: new Map() };
      doc.sections.set(header, section);
    }
    current = section;
  };

  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    if (keepOnly !== undefined && current !== null && current !== 'DEFAULT' && current.name !== keepOnly && PLAIN_OPTION.test(raw)) {
      flush();
      pending = SKIPPED;
      indentLevel = 0;
      return;
    }
    // A bare `[name]` line is a header whatever came before: no blanks, comments or second `]`.
    const bare = BARE_HEADER.exec(raw)?.[1];
    if (bare !== undefined) {
      indentLevel = 0;
      openSection(bare, lineNo);
      return;
    }
    const trimmed = pyStrip(raw);
    let commentStart = inlineCommentStart(raw);
    if (trimmed.startsWith(';') || trimmed.startsWith('#')) commentStart = 0;
    const value = pyStrip(commentStart === -1 ? raw : raw.slice(0, commentStart));
    if (value === '') {
      // An empty line inside a multi-line value is kept (empty_lines_in_values); a comment is not.
      if (commentStart === -1 && pending !== null && pending !== SKIPPED) pending.parts.push('');
      return;
    }
    const indent = pyIndent(raw);
    if (pending !== null && indent > indentLevel) {
      if (pending !== SKIPPED) pending.parts.push(value);
      return;
    }
    indentLevel = indent;
    const header = SECTION_RE.exec(value)?.groups?.['header'];
    if (header !== undefined) {
      openSection(header, lineNo);
      return;
    }
    if (current === null) {
      doc.errors.push({ file, line: lineNo, text: raw, message: 'no [section] header before this line' });
      return;
    }
    const match = splitOption(value);
    if (match === undefined || match.option === '') {
      flush();
      doc.errors.push({ file, line: lineNo, text: raw, message: 'not a `key = value` line' });
      return;
    }
    flush();
    pending = { section: current, key: match.option.toLowerCase(), parts: [match.value], line: lineNo };
  });
  flush();
}

/** The value of `key` in `section`, falling back to [DEFAULT] as configparser does. */
export function getRaw(doc: IniDocument, section: string, key: string): RawValue | undefined {
  return doc.sections.get(section)?.options.get(key) ?? doc.defaults.get(key);
}
