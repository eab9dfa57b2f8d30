// Reads the main config file and everything its [include] pulls in into one IniDocument.
// supervisord reads `files=` of the main file only; we also follow an [include] inside an
// included file (relative to that file's folder), which supervisord silently ignores.

import { readFileSync, statSync } from 'node:fs';
import { posix as path } from 'node:path';
import { expand, type Expansions } from './expand.js';
import { glob } from './glob.js';
import { PY_SPACE } from './python-text.js';
import { createIniDocument, readIniInto, type IniDocument } from './ini-reader.js';
import { internalError, type ConfigIssue } from './section-reader.js';
import { ValueProblem } from './value-problem.js';

// Python's str.split(): runs of its whitespace.
const SPACES = new RegExp(`${PY_SPACE}+`, 'u');

export interface ConfigSource {
  readonly doc: IniDocument;
  readonly files: readonly string[];
  readonly issues: readonly ConfigIssue[];
  /** supervisord's parse_infos and parse_warnings about includes, in order. */
  readonly infos: readonly string[];
  readonly warnings: readonly string[];
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Reads `mainFile` (absolute) and its includes; `expansions` serves %(ENV_X)s etc. in files=. */
export function readConfigSource(mainFile: string, expansions: Expansions): ConfigSource {
  const doc = createIniDocument();
  const files: string[] = [];
  const issues: ConfigIssue[] = [];
  const infos: string[] = [];
  const warnings: string[] = [];

  const readOne = (file: string): boolean => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      issues.push({ file, line: 0, section: null, key: null, value: null, message: `could not read config file: ${reason}` });
      return false;
    }
    files.push(file);
    readIniInto(doc, text, file);
    return true;
  };

  const followInclude = (includingFile: string): void => {
    const include = doc.sections.get('include');
    if (include === undefined) return;
    const filesValue = include.options.get('files');
    if (filesValue === undefined) {
      issues.push({
        file: include.file, line: include.line, section: 'include', key: null, value: null,
        message: 'no files= given: list the files to include (globs, separated by spaces)',
      });
      return;
    }
    // Only an include set by the file just read is followed, so each include runs once.
    if (filesValue.file !== includingFile) return;
    let patterns: string[];
    try {
      patterns = expand(filesValue.value, { ...expansions, here: path.dirname(includingFile) }).split(SPACES).filter(Boolean);
    } catch (error) {
      const message = error instanceof ValueProblem ? error.message : internalError(error);
      issues.push({ file: filesValue.file, line: filesValue.line, section: 'include', key: 'files', value: filesValue.value, message });
      return;
    }
    for (const pattern of patterns) {
      const absolute = path.resolve(path.dirname(includingFile), pattern);
      const matches = glob(absolute).filter(isFile);
      if (matches.length === 0) {
        warnings.push(`No file matches via include "${absolute}"`);
        continue;
      }
      for (const match of matches) {
        if (files.includes(match)) continue;
        infos.push(`Included extra file "${match}" during parsing`);
        if (readOne(match)) followInclude(match);
      }
    }
  };

  if (readOne(mainFile)) followInclude(mainFile);
  return { doc, files, issues, infos, warnings };
}
