// Python's idea of whitespace, which configparser and int() use: str.strip(), str.isspace() and
// re's \s. JavaScript's \s and trim() differ: they also take U+FEFF (a byte-order mark) and miss
// U+001C-U+001F and U+0085. Trimming a BOM away made us accept `startsecs=\uFEFF5` and a file
// starting with a BOM, both of which supervisord rejects.

const SPACE_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Character classes for building regexps: one Python whitespace character, and one that is not. */
export const PY_SPACE = `[${SPACE_CLASS}]`;
export const PY_NON_SPACE = `[^${SPACE_CLASS}]`;

const SPACE_RE = new RegExp(`^${PY_SPACE}$`, 'u');
const NON_SPACE_RE = new RegExp(PY_NON_SPACE, 'u');

export function pyIsSpace(c: string): boolean {
  // Printable ASCII answers without the regexp: the strips below ask once or twice per config
  // line, and a 1000-program config has 5000 lines to read before tssupervisorctl can connect.
  const code = c.charCodeAt(0);
  if (code > 0x20 && code < 0x7f) return false;
  return SPACE_RE.test(c);
}

// Loops rather than /\s+$/: that regexp retries from every space of a long run that is not at
// the end, which is quadratic (a line of 10^5 spaces and one letter took seconds).

/** str.strip() */
export function pyStrip(text: string): string {
  let start = 0;
  while (start < text.length && pyIsSpace(text.charAt(start))) start++;
  return pyRstrip(text.slice(start));
}

/** str.rstrip() */
export function pyRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && pyIsSpace(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}

/** Index of the first non-whitespace character, or -1 (configparser's indent level). */
export function pyIndent(text: string): number {
  return text.search(NON_SPACE_RE);
}
