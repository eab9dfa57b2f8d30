// Python's shlex, the two ways supervisord uses it: non-POSIX tokens for `environment=`
// (datatypes.dict_of_key_value_pairs, wordchars + '/.+-():') and POSIX shlex.split for `command=`
// (process.get_execv_args). Ported from cpython Lib/shlex.py read_token().

import { ValueProblem } from './value-problem.js';

const WORD_CHARS = /[A-Za-z0-9_/.+\-():]/u;
const WHITESPACE = ' \t\r\n';
const QUOTES = '\'"';
// shlex's own words: supervisord says them too, in a config error for environment= and in a
// spawn error for command= (it once escaped as a crash, being a plain Error).
const UNCLOSED = 'No closing quotation';

/** Non-POSIX shlex tokens: quotes stay in the token, `#` starts a comment, other chars stand alone. */
export function shlexTokens(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charAt(i);
    if (WHITESPACE.includes(c)) {
      i++;
    } else if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
    } else if (QUOTES.includes(c)) {
      const end = text.indexOf(c, i + 1);
      if (end === -1) throw new ValueProblem(UNCLOSED);
      tokens.push(text.slice(i, end + 1));
      i = end + 1;
    } else if (WORD_CHARS.test(c)) {
      let token = '';
      // In a word, quote characters are part of the word (non-POSIX mode).
      while (i < n) {
        const d = text.charAt(i);
        if (d === '#') {
          while (i < n && text[i] !== '\n') i++;
          i++;
          continue;
        }
        if (!WORD_CHARS.test(d) && !QUOTES.includes(d)) break;
        token += d;
        i++;
      }
      tokens.push(token);
    } else {
      tokens.push(c);
      i++;
    }
  }
  return tokens;
}

/** POSIX shlex.split (comments off): quotes group and are removed, backslash escapes outside single quotes. */
export function shlexSplit(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (WHITESPACE.includes(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new ValueProblem('No escaped character');
      word += text.charAt(i + 1);
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) throw new ValueProblem(UNCLOSED);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text.charAt(i);
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        // Inside double quotes a backslash escapes only `"` and `\` (shlex escapedquotes).
        if (d === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          word += text.charAt(i + 1);
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      if (!closed) throw new ValueProblem(UNCLOSED);
      inWord = true;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
