// A small strict XML reader, just enough for XML-RPC bodies: elements (attributes are checked
// and dropped), text with the five predefined entities and numeric character references,
// CDATA, comments and processing instructions (dropped). Anything with a DOCTYPE or ENTITY
// declaration is refused before reading, so no entity expansion (billion laughs) and no
// external entities can ever happen. Text is kept verbatim, apart from the XML 1.0 line-end
// normalisation (CR LF and lone CR become LF) that every conforming parser, expat included,
// applies. Linear in the input size; recursion is bounded by maxDepth.

export class XmlRpcParseError extends Error {
  override readonly name = 'XmlRpcParseError';
}

export interface XmlElement {
  readonly name: string;
  /** Elements and text; adjacent text, references and CDATA are merged into one string. */
  readonly children: readonly XmlNode[];
}

export type XmlNode = XmlElement | string;

/** Characters outside XML 1.0's Char production (control characters, lone surrogates, U+FFFE/F). */
export const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const NAME = /[A-Za-z_:][\w.:-]*/y;
const ATTRIBUTE = /\s+[A-Za-z_:][\w.:-]*\s*=\s*(?:"([^<"]*)"|'([^<']*)')/y;
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/y;
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function fail(message: string): never {
  throw new XmlRpcParseError(message);
}

/** Replaces entity and character references in raw text; an undefined or bad one is an error. */
export function decodeText(raw: string): string {
  let amp = raw.indexOf('&');
  if (amp < 0) return raw;
  const out: string[] = [];
  let from = 0;
  while (amp >= 0) {
    out.push(raw.slice(from, amp));
    REFERENCE.lastIndex = amp;
    const m = REFERENCE.exec(raw);
    if (m === null) fail(`undefined or malformed entity reference at "${raw.slice(amp, amp + 12)}"`);
    const [, named, dec, hex] = m;
    if (named !== undefined) {
      out.push(NAMED[named] ?? '');
    } else {
      const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
      const char = code <= 0x10ffff ? String.fromCodePoint(code) : '\u0000';
      if (NOT_XML_CHAR.test(char)) fail(`reference to invalid character number ${code}`);
      out.push(char);
    }
    from = REFERENCE.lastIndex;
    amp = raw.indexOf('&', from);
  }
  out.push(raw.slice(from));
  return out.join('');
}

/** The document checked for what is refused outright, without its BOM, line ends normalised. */
export function prepareXml(input: string): string {
  if (/<!(?:doctype|entity)/i.test(input)) fail('DOCTYPE and ENTITY declarations are not allowed');
  const src = (input.startsWith('\uFEFF') ? input.slice(1) : input).replace(/\r\n?/g, '\n');
  const bad = NOT_XML_CHAR.exec(src);
  if (bad !== null) fail(`character U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase()} is not allowed in XML`);
  return src;
}

/** Reads a whole XML document and returns its root element. Throws XmlRpcParseError. */
export function readXml(input: string, maxDepth: number): XmlElement {
  const src = prepareXml(input);
  let pos = 0;

  const skipSpace = (): void => {
    while (pos < src.length && ' \t\n'.includes(src.charAt(pos))) pos++;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(src);
    if (m === null) fail(`expected a name at offset ${pos}`);
    pos = NAME.lastIndex;
    return m[0];
  };
  const skipPast = (terminator: string, what: string): void => {
    const end = src.indexOf(terminator, pos);
    if (end < 0) fail(`unterminated ${what}`);
    pos = end + terminator.length;
  };
  const processingInstruction = (): void => {
    pos += 2;
    if (readName().toLowerCase() === 'xml') fail('XML declaration not at start of document');
    skipPast('?>', 'processing instruction');
  };
  const misc = (): void => {
    for (;;) {
      skipSpace();
      if (src.startsWith('<!--', pos)) skipPast('-->', 'comment');
      else if (src.startsWith('<?', pos)) processingInstruction();
      else return;
    }
  };

  const element = (depth: number): XmlElement => {
    if (depth > maxDepth) fail(`elements nested deeper than ${maxDepth}`);
    pos++; // '<'
    const name = readName();
    for (;;) {
      ATTRIBUTE.lastIndex = pos;
      const m = ATTRIBUTE.exec(src);
      if (m === null) break;
      decodeText(m[1] ?? m[2] ?? '');
      pos = ATTRIBUTE.lastIndex;
    }
    skipSpace();
    if (src.startsWith('/>', pos)) {
      pos += 2;
      return { name, children: [] };
    }
    if (src.charAt(pos) !== '>') fail(`malformed start tag <${name}>`);
    pos++;
    const children: XmlNode[] = [];
    const text: string[] = [];
    const flushText = (): void => {
      if (text.length > 0) children.push(text.join(''));
      text.length = 0;
    };
    for (;;) {
      const lt = src.indexOf('<', pos);
      if (lt < 0) fail(`element <${name}> is not closed`);
      if (lt > pos) text.push(decodeText(src.slice(pos, lt)));
      pos = lt;
      if (src.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`mismatched tag: <${name}> closed by </${closing}>`);
        skipSpace();
        if (src.charAt(pos) !== '>') fail(`malformed end tag </${name}>`);
        pos++;
        flushText();
        return { name, children };
      }
      if (src.startsWith('<![CDATA[', pos)) {
        const end = src.indexOf(']]>', pos + 9);
        if (end < 0) fail('unterminated CDATA section');
        text.push(src.slice(pos + 9, end));
        pos = end + 3;
      } else if (src.startsWith('<!--', pos)) {
        skipPast('-->', 'comment');
      } else if (src.startsWith('<?', pos)) {
        processingInstruction();
      } else if (src.startsWith('<!', pos)) {
        fail('markup declarations are not allowed');
      } else {
        flushText();
        children.push(element(depth + 1));
      }
    }
  };

  if (src.startsWith('<?xml', pos) && /\s/.test(src.charAt(5))) skipPast('?>', 'XML declaration');
  misc();
  if (src.charAt(pos) !== '<' || src.startsWith('</', pos)) fail('no root element');
  const root = element(1);
  misc();
  if (pos !== src.length) fail('junk after the root element');
  return root;
}
