import { describe, expect, it } from 'vitest';
import {
  encodeFault,
  encodeMethodCall,
  encodeMethodResponse,
  parseMethodCall,
  parseMethodResponse,
  xmlRpcDouble,
  XmlRpcParseError,
  type XmlRpcInput,
  type XmlRpcValue,
} from './codec.js';

// Golden strings made by CPython's xmlrpc.client (Python 3), e.g.
//   python3 -c "import xmlrpc.client as x; print(repr(x.dumps(('web', True), 'supervisor.startProcess')))"
// pasted as literals so this test needs no Python. Regenerate with the same calls if needed.

const PY_CALLS = {
  startProcess: "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.startProcess</methodName>\n<params>\n<param>\n<value><string>web</string></value>\n</param>\n<param>\n<value><boolean>1</boolean></value>\n</param>\n</params>\n</methodCall>\n",
  noParams: "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getState</methodName>\n<params>\n</params>\n</methodCall>\n",
  tail: "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.tailProcessStdoutLog</methodName>\n<params>\n<param>\n<value><string>web</string></value>\n</param>\n<param>\n<value><int>0</int></value>\n</param>\n<param>\n<value><int>100</int></value>\n</param>\n</params>\n</methodCall>\n",
  multicall: "<?xml version='1.0'?>\n<methodCall>\n<methodName>system.multicall</methodName>\n<params>\n<param>\n<value><array><data>\n<value><struct>\n<member>\n<name>methodName</name>\n<value><string>supervisor.getPID</string></value>\n</member>\n<member>\n<name>params</name>\n<value><array><data>\n</data></array></value>\n</member>\n</struct></value>\n<value><struct>\n<member>\n<name>methodName</name>\n<value><string>supervisor.stopProcess</string></value>\n</member>\n<member>\n<name>params</name>\n<value><array><data>\n<value><string>web:0</string></value>\n<value><boolean>0</boolean></value>\n</data></array></value>\n</member>\n</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodCall>\n",
  mixed: "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.sendProcessStdin</methodName>\n<params>\n<param>\n<value><struct>\n<member>\n<name>s</name>\n<value><string>a&lt;&amp;&gt;b</string></value>\n</member>\n<member>\n<name>e</name>\n<value><string></string></value>\n</member>\n<member>\n<name>w</name>\n<value><string> \t\n </string></value>\n</member>\n<member>\n<name>u</name>\n<value><string>h\u00e9llo \u2603 \ud83d\ude00</string></value>\n</member>\n<member>\n<name>n</name>\n<value><array><data>\n<value><int>-1</int></value>\n<value><int>2147483647</int></value>\n<value><struct>\n<member>\n<name>deep</name>\n<value><array><data>\n<value><array><data>\n<value><boolean>1</boolean></value>\n</data></array></value>\n</data></array></value>\n</member>\n</struct></value>\n</data></array></value>\n</member>\n</struct></value>\n</param>\n<param>\n<value><string>x</string></value>\n</param>\n</params>\n</methodCall>\n",
};

const PY_RESPONSES = {
  processInfo: "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>name</name>\n<value><string>web</string></value>\n</member>\n<member>\n<name>group</name>\n<value><string>web</string></value>\n</member>\n<member>\n<name>pid</name>\n<value><int>1234</int></value>\n</member>\n<member>\n<name>state</name>\n<value><int>20</int></value>\n</member>\n<member>\n<name>statename</name>\n<value><string>RUNNING</string></value>\n</member>\n<member>\n<name>description</name>\n<value><string>pid 1234, uptime 0:01:00</string></value>\n</member>\n<member>\n<name>spawnerr</name>\n<value><string></string></value>\n</member>\n<member>\n<name>exitstatus</name>\n<value><int>0</int></value>\n</member>\n<member>\n<name>now</name>\n<value><int>1700000000</int></value>\n</member>\n<member>\n<name>logfile</name>\n<value><string>/tmp/a&lt;&amp;&gt;.log</string></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n",
  nested: "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><struct>\n<member>\n<name>a</name>\n<value><array><data>\n<value><int>1</int></value>\n<value><int>2</int></value>\n<value><array><data>\n</data></array></value>\n</data></array></value>\n</member>\n<member>\n<name>b</name>\n<value><struct>\n</struct></value>\n</member>\n</struct></value>\n<value><boolean>1</boolean></value>\n<value><boolean>0</boolean></value>\n<value><string>h\u00e9llo \u2603 \ud83d\ude00</string></value>\n<value><string></string></value>\n<value><string> \t\n </string></value>\n<value><int>2147483647</int></value>\n<value><int>-2147483648</int></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n",
  true: "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><boolean>1</boolean></value>\n</param>\n</params>\n</methodResponse>\n",
  emptyArray: "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n",
  emptyStruct: "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n",
  multicallResult: "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><array><data>\n<value><boolean>1</boolean></value>\n</data></array></value>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>60</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>ALREADY_STARTED: web</string></value>\n</member>\n</struct></value>\n<value><array><data>\n<value><string>tail</string></value>\n<value><int>123</int></value>\n<value><boolean>0</boolean></value>\n</data></array></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n",
  nil: "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><nil/></value></param>\n</params>\n</methodResponse>\n",
};

const PY_FAULTS = {
  badName: "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>BAD_NAME: foo&lt;&amp;&gt;</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n",
  unknownMethod: "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>1</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>UNKNOWN_METHOD</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n",
};

const PY_DOUBLES: readonly (readonly [number, string])[] = [
  [1.5, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>1.5</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [2.0, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>2.0</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [2147483648.0, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>2147483648.0</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [-0.5, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>-0.5</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [0.0001, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>0.0001</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [1e-05, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>1e-05</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [1e+16, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>1e+16</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [1.5e+300, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>1.5e+300</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [123456789012345.6, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>123456789012345.6</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [0.1, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>0.1</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [0.3333333333333333, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>0.3333333333333333</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [-2.5e-10, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>-2.5e-10</double></value>\n</param>\n</params>\n</methodResponse>\n"],
  [5e-324, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><double>5e-324</double></value>\n</param>\n</params>\n</methodResponse>\n"],
];

const PY_EXTRA = {
  base64: "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><base64>\naMOpbGxvIHfDtnJsZAo=\n</base64></value>\n</param>\n</params>\n</methodResponse>\n",
  dateTime: "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><dateTime.iso8601>20240102T03:04:05</dateTime.iso8601></value>\n</param>\n</params>\n</methodResponse>\n",
  nilCall: "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.x</methodName>\n<params>\n<param>\n<value><nil/></value></param>\n<param>\n<value><string>a</string></value>\n</param>\n</params>\n</methodCall>\n",
};

const CALL_PARAMS: Record<keyof typeof PY_CALLS, { method: string; params: XmlRpcValue[] }> = {
  startProcess: { method: 'supervisor.startProcess', params: ['web', true] },
  noParams: { method: 'supervisor.getState', params: [] },
  tail: { method: 'supervisor.tailProcessStdoutLog', params: ['web', 0, 100] },
  multicall: {
    method: 'system.multicall',
    params: [[
      { methodName: 'supervisor.getPID', params: [] },
      { methodName: 'supervisor.stopProcess', params: ['web:0', false] },
    ]],
  },
  mixed: {
    method: 'supervisor.sendProcessStdin',
    params: [
      { s: 'a<&>b', e: '', w: ' \t\n ', u: 'h\u00e9llo \u2603 \u{1F600}', n: [-1, 2147483647, { deep: [[true]] }] },
      'x',
    ],
  },
};

const RESPONSE_VALUES: Record<keyof typeof PY_RESPONSES, XmlRpcValue> = {
  processInfo: {
    name: 'web', group: 'web', pid: 1234, state: 20, statename: 'RUNNING', description: 'pid 1234, uptime 0:01:00',
    spawnerr: '', exitstatus: 0, now: 1700000000, logfile: '/tmp/a<&>.log',
  },
  nested: [{ a: [1, 2, []], b: {} }, true, false, 'h\u00e9llo \u2603 \u{1F600}', '', ' \t\n ', 2147483647, -2147483648],
  true: true,
  emptyArray: [],
  emptyStruct: {},
  multicallResult: [[true], { faultCode: 60, faultString: 'ALREADY_STARTED: web' }, ['tail', 123, false]],
  nil: null,
};

const FAULTS: Record<keyof typeof PY_FAULTS, readonly [number, string]> = {
  badName: [10, 'BAD_NAME: foo<&>'],
  unknownMethod: [1, 'UNKNOWN_METHOD'],
};

const call = (params: string, name = '<methodName>m</methodName>'): string =>
  `<?xml version='1.0'?>\n<methodCall>\n${name}\n<params>\n${params}</params>\n</methodCall>\n`;
const param = (value: string): string => call(`<param>\n<value>${value}</value>\n</param>\n`);
const firstParam = (xml: string): XmlRpcValue | undefined => {
  const { params } = parseMethodCall(xml);
  expect(params).toHaveLength(1);
  return params[0];
};
const nest = (depth: number): string => '<array><data><value>'.repeat(depth) + 'x' + '</value></data></array>'.repeat(depth);
const response = (body: string): string => `<?xml version='1.0'?>\n<methodResponse>\n${body}</methodResponse>\n`;

describe('encoding is byte for byte what Python xmlrpc.client.dumps writes', () => {
  for (const [key, { method, params }] of Object.entries(CALL_PARAMS)) {
    it(`method call: ${key}`, () => {
      expect(encodeMethodCall(method, params)).toBe(PY_CALLS[key as keyof typeof PY_CALLS]);
    });
  }
  for (const [key, value] of Object.entries(RESPONSE_VALUES)) {
    it(`response: ${key}`, () => {
      expect(encodeMethodResponse(value)).toBe(PY_RESPONSES[key as keyof typeof PY_RESPONSES]);
    });
  }
  for (const [key, [code, text]] of Object.entries(FAULTS)) {
    it(`fault: ${key}`, () => {
      expect(encodeFault(code, text)).toBe(PY_FAULTS[key as keyof typeof PY_FAULTS]);
    });
  }
  it('doubles use Python repr(float); integral numbers outside int32 become doubles', () => {
    for (const [n, golden] of PY_DOUBLES) {
      expect(encodeMethodResponse(xmlRpcDouble(n))).toBe(golden);
      if (!Number.isInteger(n) || n > 2147483647) expect(encodeMethodResponse(n)).toBe(golden);
    }
    expect(encodeMethodResponse(2)).toContain('<value><int>2</int></value>');
    expect(encodeMethodResponse(-0)).toContain('<value><int>0</int></value>');
  });
});

describe('parsing what Python makes', () => {
  for (const [key, { method, params }] of Object.entries(CALL_PARAMS)) {
    it(`method call: ${key}`, () => {
      expect(parseMethodCall(PY_CALLS[key as keyof typeof PY_CALLS])).toEqual({ methodName: method, params });
    });
  }
  for (const [key, value] of Object.entries(RESPONSE_VALUES)) {
    it(`response: ${key}`, () => {
      expect(parseMethodResponse(PY_RESPONSES[key as keyof typeof PY_RESPONSES])).toEqual({ ok: true, value });
    });
  }
  for (const [key, [faultCode, faultString]] of Object.entries(FAULTS)) {
    it(`fault: ${key}`, () => {
      expect(parseMethodResponse(PY_FAULTS[key as keyof typeof PY_FAULTS])).toEqual({ ok: false, faultCode, faultString });
    });
  }
  it('doubles, base64, dateTime and nil', () => {
    for (const [n, golden] of PY_DOUBLES) expect(parseMethodResponse(golden)).toEqual({ ok: true, value: n });
    expect(parseMethodResponse(PY_EXTRA.base64)).toEqual({ ok: true, value: 'h\u00e9llo w\u00f6rld\n' });
    expect(parseMethodResponse(PY_EXTRA.dateTime)).toEqual({ ok: true, value: '20240102T03:04:05' });
    expect(parseMethodCall(PY_EXTRA.nilCall)).toEqual({ methodName: 'supervisor.x', params: [null, 'a'] });
  });
});

describe('round trips', () => {
  const value: XmlRpcValue = {
    z: 'last key first', a: ['', ' ', '\t\n', 'a&b<c>d"e\'f', '\u00e9\u{1F600}'], n: [0, -5, 2147483647, 1.25, 3e20],
    t: true, f: false, nil: null, empty: {}, list: [[], [[]]], 'key <&>': 'v',
  };
  it('encodeMethodCall then parseMethodCall', () => {
    expect(parseMethodCall(encodeMethodCall('supervisor.a<b>', [value, 'x']))).toEqual({
      methodName: 'supervisor.a<b>', params: [value, 'x'],
    });
    expect(parseMethodCall(encodeMethodCall('m', []))).toEqual({ methodName: 'm', params: [] });
  });
  it('encodeMethodResponse / encodeFault then parseMethodResponse', () => {
    expect(parseMethodResponse(encodeMethodResponse(value))).toEqual({ ok: true, value });
    expect(parseMethodResponse(encodeFault(70, 'NOT_RUNNING: <web> & co'))).toEqual({
      ok: false, faultCode: 70, faultString: 'NOT_RUNNING: <web> & co',
    });
  });
  it('keeps struct member order', () => {
    const parsed = parseMethodResponse(encodeMethodResponse({ b: 1, a: 2, c: 3 }));
    expect(parsed.ok && Object.keys(parsed.value ?? {})).toEqual(['b', 'a', 'c']);
  });
});

describe('deviations from Python, documented in codec.ts', () => {
  it('characters XML 1.0 forbids become U+FFFD; CR survives as &#13;', () => {
    const xml = encodeMethodResponse('a\u0000b\u001bc\ud800d\uffffe\r\nf');
    expect(xml).toContain('<string>a\ufffdb\ufffdc\ufffdd\ufffde&#13;\nf</string>');
    expect(parseMethodResponse(xml)).toEqual({ ok: true, value: 'a\ufffdb\ufffdc\ufffdd\ufffde\r\nf' });
  });
});

describe('accepts the range of what clients send', () => {
  it('untyped and empty values are strings, whitespace kept exactly', () => {
    expect(firstParam(param('plain'))).toBe('plain');
    expect(firstParam(param(''))).toBe('');
    expect(firstParam(param('<string></string>'))).toBe('');
    expect(firstParam(param('<string/>'))).toBe('');
    expect(firstParam(param(' \n\t '))).toBe(' \n\t ');
    expect(firstParam(param('<string>  </string>'))).toBe('  ');
    expect(firstParam(call('<param><value/></param>'))).toBe('');
  });
  it('references, CDATA and comments', () => {
    expect(firstParam(param('&lt;&gt;&amp;&quot;&apos;&#10;&#x41;&#x1F600;'))).toBe('<>&"\'\nA\u{1F600}');
    expect(firstParam(param('<string>a<![CDATA[<b>&amp;]]>c<!-- note -->d</string>'))).toBe('a<b>&amp;cd');
  });
  it('integer flavours, booleans, doubles, nil', () => {
    expect(firstParam(param('<i4>-7</i4>'))).toBe(-7);
    expect(firstParam(param('<i8>9007199254740991</i8>'))).toBe(9007199254740991);
    expect(firstParam(param('<int> +42 </int>'))).toBe(42);
    expect(firstParam(param('<boolean>0</boolean>'))).toBe(false);
    expect(firstParam(param('<double>-1.5e3</double>'))).toBe(-1500);
    expect(firstParam(param('<nil></nil>'))).toBe(null);
  });
  it('layout: no params, whitespace, CRLF, attributes, declaration with encoding', () => {
    expect(parseMethodCall('<methodCall><methodName>supervisor.getState</methodName></methodCall>'))
      .toEqual({ methodName: 'supervisor.getState', params: [] });
    expect(parseMethodCall('<?xml version="1.0" encoding="UTF-8"?>\r\n<methodCall a="1">\r\n  <methodName>x</methodName>\r\n'
      + '  <params/>\r\n</methodCall>\r\n')).toEqual({ methodName: 'x', params: [] });
    expect(firstParam(param('<array>\n  <data>\n    <value>\n      <int>1</int>\n    </value>\n  </data>\n</array>'))).toEqual([1]);
  });
  it('struct keys are plain data: duplicates keep the last, __proto__ is an ordinary key', () => {
    const v = firstParam(param('<struct><member><name>__proto__</name><value>p</value></member>'
      + '<member><name>k</name><value>1</value></member><member><name>k</name><value>2</value></member></struct>'));
    expect(Object.entries(v ?? {})).toEqual([['__proto__', 'p'], ['k', '2']]);
    expect(({} as Record<string, unknown>)['p']).toBeUndefined();
  });
  it('nesting up to 64 values deep', () => {
    expect(JSON.stringify(firstParam(param(nest(63))))).toBe('['.repeat(63) + '"x"' + ']'.repeat(63));
  });
  it('a response where a call is expected is refused', () => {
    expect(() => parseMethodCall(PY_RESPONSES.true)).toThrow(XmlRpcParseError);
  });
  it('a 1 MB string value (linear time)', () => {
    const big = 'a&amp;b<![CDATA[c]]>'.repeat(50_000) + 'x'.repeat(1_000_000);
    const v = firstParam(param(`<string>${big}</string>`));
    expect(typeof v === 'string' && v.length).toBe(1_200_000);
    expect(encodeMethodResponse('y'.repeat(1_000_000)).length).toBeGreaterThan(1_000_000);
  });
});

describe('refuses anything malformed, unknown or dangerous with XmlRpcParseError', () => {
  const laughs = '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n' + param('&lol2;');
  const bad: Record<string, string> = {
    'billion laughs': laughs,
    'external entity': '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + param('&x;'),
    'lower-case doctype': '<!doctype methodCall>' + param('a'),
    'entity declaration alone': param('<!ENTITY x "y">'),
    'other markup declaration': param('<!ELEMENT x ANY>'),
    'undefined entity': param('&nbsp;'),
    'bare ampersand': param('a & b'),
    'reference to NUL': param('&#0;'),
    'reference out of range': param('&#x110000;'),
    'raw control character': param('a\u0001b'),
    'empty document': '',
    'not XML': 'hello',
    'garbage bytes': '\u00ff\u00fe\u0000\u0001<\u0080\u00c3(',
    'garbage markup': '<<>><//>',
    'mismatched tags': param('<string>a</int>'),
    'junk after root': param('a') + '<extra/>',
    'text after root': param('a') + 'tail',
    'declaration not at start': ' ' + param('a'),
    'wrong root': '<methodResponseX><params/></methodResponseX>',
    'no methodName': '<methodCall><params><param><value>a</value></param></params></methodCall>',
    'empty methodName': call('', '<methodName></methodName>'),
    'methodName after params': '<methodCall><params/><methodName>m</methodName></methodCall>',
    'unknown value type': param('<foo>1</foo>'),
    'bad boolean': param('<boolean>true</boolean>'),
    'bad int': param('<int>1.5</int>'),
    'int beyond 2^53': param('<i8>9007199254740993</i8>'),
    'bad double': param('<double>one</double>'),
    'bad base64': param('<base64>!!!</base64>'),
    'text beside a typed value': param('x<int>1</int>'),
    'two typed values': param('<int>1</int><int>2</int>'),
    'element in a string': param('<string><b>x</b></string>'),
    'array without data': param('<array><value>1</value></array>'),
    'member without name': param('<struct><member><value>1</value></member></struct>'),
    'param with two values': call('<param><value>1</value><value>2</value></param>'),
    'text in params': call('oops'),
    '65 values deep': param(nest(64)),
    '10000 elements deep': param('<array><data><value>'.repeat(10_000)),
    'unclosed comment': param('<!-- x'),
    'unclosed CDATA': param('<![CDATA[ x'),
  };
  for (const [name, xml] of Object.entries(bad)) {
    it(name, () => {
      expect(() => parseMethodCall(xml)).toThrow(XmlRpcParseError);
      expect(() => parseMethodResponse(xml)).toThrow(XmlRpcParseError);
    });
  }
  it('every truncation of a valid call', () => {
    const doc = PY_CALLS.mixed;
    for (let i = 0; i < doc.lastIndexOf('>'); i++) expect(() => parseMethodCall(doc.slice(0, i))).toThrow(XmlRpcParseError);
  });
  const badResponses: Record<string, string> = {
    'no params': response('<params>\n</params>\n'),
    'two params': response('<params><param><value>1</value></param><param><value>2</value></param></params>'),
    'fault without faultString': response('<fault><value><struct><member><name>faultCode</name><value><int>1</int></value>'
      + '</member></struct></value></fault>'),
    'fault that is not a struct': response('<fault><value>oops</value></fault>'),
    'a call, not a response': PY_CALLS.startProcess,
    'params and fault': response('<params><param><value>1</value></param></params><fault/>'),
  };
  for (const [name, xml] of Object.entries(badResponses)) {
    it(`response: ${name}`, () => {
      expect(() => parseMethodResponse(xml)).toThrow(XmlRpcParseError);
    });
  }
});

describe('encoding refuses what XML-RPC cannot carry', () => {
  it('cycles, undefined, functions and class instances throw TypeError', () => {
    const cyclic: XmlRpcInput[] = [];
    cyclic.push(cyclic);
    expect(() => encodeMethodResponse(cyclic)).toThrow(TypeError);
    expect(() => encodeMethodResponse([undefined] as unknown as XmlRpcInput)).toThrow(TypeError);
    expect(() => encodeMethodResponse({ f: (() => 1) as unknown as XmlRpcInput })).toThrow(TypeError);
    expect(() => encodeMethodResponse(new Date() as unknown as XmlRpcInput)).toThrow(TypeError);
  });
  it('a repeated (not cyclic) object is fine', () => {
    const shared = { a: 1 };
    expect(parseMethodResponse(encodeMethodResponse([shared, shared]))).toEqual({ ok: true, value: [shared, shared] });
  });
});
