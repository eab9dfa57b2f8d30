// The failures a supervisorctl command can meet, each able to describe itself the way Python's
// supervisorctl prints an exception it did not expect: `error: <class 'X'>, <str(value)>`.
// Pure: no I/O here, the transport and client construct these.

import { SupervisorError } from '../errors.js';

/** Python's repr() of a str: single quotes unless the text holds a ' and no ". */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** An exception with its Python class name and str() value. */
export class PythonError extends Error {
  readonly pythonClass: string;

  constructor(pythonClass: string, pythonValue: string) {
    super(pythonValue);
    this.pythonClass = pythonClass;
  }

  get pythonValue(): string {
    return this.message;
  }

  /** How supervisorctl would name any thrown value. */
  static describe(error: unknown): { pythonClass: string; pythonValue: string } {
    if (error instanceof PythonError) return { pythonClass: error.pythonClass, pythonValue: error.pythonValue };
    if (error instanceof SupervisorError) {
      return { pythonClass: 'xmlrpc.client.Fault', pythonValue: faultRepr(error.faultCode, error.faultString) };
    }
    if (error instanceof Error) {
      return { pythonClass: error.name === 'XmlRpcParseError' ? 'xml.parsers.expat.ExpatError' : error.name, pythonValue: error.message };
    }
    return { pythonClass: 'Exception', pythonValue: String(error) };
  }
}

/** `<Fault 6: 'SHUTDOWN_STATE'>`, str() of xmlrpc.client.Fault. */
export function faultRepr(faultCode: number, faultString: string): string {
  return `<Fault ${faultCode}: ${pyRepr(faultString)}>`;
}

/** An XML-RPC fault whose code or text src/errors.ts has no name for. */
export class RemoteFault extends PythonError {
  readonly faultCode: number;
  readonly faultString: string;

  constructor(faultCode: number, faultString: string) {
    super('xmlrpc.client.Fault', faultRepr(faultCode, faultString));
    this.faultCode = faultCode;
    this.faultString = faultString;
  }
}

/** The fault code and text of a fault error (SupervisorError or RemoteFault), else null. */
export function faultOf(error: unknown): { faultCode: number; faultString: string } | null {
  if (error instanceof SupervisorError || error instanceof RemoteFault) {
    return { faultCode: error.faultCode, faultString: error.faultString };
  }
  return null;
}

/** A non-200 HTTP answer to an XML-RPC POST (xmlrpc.client.ProtocolError). */
export class ProtocolError extends PythonError {
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string) {
    // supervisorctl's ServerProxy always talks to the fake host 127.0.0.1, whatever the serverurl.
    super('xmlrpc.client.ProtocolError', `<ProtocolError for 127.0.0.1/RPC2: ${status} ${reason}>`);
    this.status = status;
    this.reason = reason;
  }
}

const OS_ERROR_CLASSES: Readonly<Record<string, string>> = {
  ENOENT: 'FileNotFoundError',
  ECONNREFUSED: 'ConnectionRefusedError',
  ECONNRESET: 'ConnectionResetError',
  ECONNABORTED: 'ConnectionAbortedError',
  EPIPE: 'BrokenPipeError',
  EACCES: 'PermissionError',
  EPERM: 'PermissionError',
  ETIMEDOUT: 'TimeoutError',
};

/** A socket-level failure (Python's OSError family): `code` is the errno name, e.g. ENOENT. */
export class ConnectionFailure extends PythonError {
  readonly code: string;

  constructor(code: string, errno: number, strerror: string) {
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      super('socket.gaierror', code === 'ENOTFOUND' ? '[Errno -2] Name or service not known' : '[Errno -3] Temporary failure in name resolution');
    } else {
      const text = strerror === '' ? code : strerror.charAt(0).toUpperCase() + strerror.slice(1);
      super(OS_ERROR_CLASSES[code] ?? 'OSError', `[Errno ${errno}] ${text}`);
    }
    this.code = code;
  }
}
