// ControlApi over XML-RPC: each method is the `supervisor.<method>` call of the same name, as
// supervisorctl's ServerProxy makes it. Faults come back as SupervisorError (or RemoteFault for
// a code or text src/errors.ts does not know), transport failures as transport.ts reports them.

import type { ConfigInfo, ControlApi, DaemonState, ProcessEnd, ProcessInfo, ProcessResult } from '../api/control-api.js';
import { faultNameOf, SupervisorError } from '../errors.js';
import { encodeMethodCall, parseMethodResponse, type XmlRpcValue } from '../xmlrpc/codec.js';
import { RemoteFault } from './failures.js';
import { parseJsonResponse } from '../xmlrpc/json-form.js';
import { postXmlRpc, type RpcReply, type ServerTarget } from './transport.js';

/** Sends one request body and resolves with the reply. */
export type Poster = (target: ServerTarget, body: string) => Promise<RpcReply>;

/** ControlApi plus the deprecated alias supervisorctl's upcheck calls. */
export interface CtlServer extends ControlApi {
  /** `supervisor.getVersion` (alias of getAPIVersion), what supervisorctl's upcheck asks. */
  getVersion(): Promise<string>;
}

/** The error a fault becomes: SupervisorError when its code and text follow src/errors.ts. */
export function faultError(faultCode: number, faultString: string): Error {
  const name = faultNameOf(faultCode);
  if (name === undefined) return new RemoteFault(faultCode, faultString);
  if (faultString === name) return new SupervisorError(name);
  if (faultString.startsWith(`${name}: `)) return new SupervisorError(name, faultString.slice(name.length + 2));
  return new RemoteFault(faultCode, faultString);
}

export class XmlRpcControlClient implements CtlServer {
  readonly target: ServerTarget;
  private readonly post: Poster;

  constructor(target: ServerTarget, post: Poster = postXmlRpc) {
    this.target = target;
    this.post = post;
  }

  /** Calls `methodName` (e.g. `supervisor.getPID`) and resolves with its value or throws its fault. */
  async call(methodName: string, params: readonly XmlRpcValue[] = []): Promise<XmlRpcValue> {
    const reply = await this.post(this.target, encodeMethodCall(methodName, params));
    const response = reply.json ? parseJsonResponse(reply.body) : parseMethodResponse(reply.body);
    if (!response.ok) throw faultError(response.faultCode, response.faultString);
    return response.value;
  }

  private async sv<T>(method: string, ...params: (XmlRpcValue | undefined)[]): Promise<T> {
    // An omitted optional argument (wait) is not sent, so the server's default applies.
    const sent = params.filter((p): p is XmlRpcValue => p !== undefined);
    return (await this.call(`supervisor.${method}`, sent)) as unknown as T;
  }

  getVersion(): Promise<string> { return this.sv('getVersion'); }
  getAPIVersion(): Promise<string> { return this.sv('getAPIVersion'); }
  getSupervisorVersion(): Promise<string> { return this.sv('getSupervisorVersion'); }
  getIdentification(): Promise<string> { return this.sv('getIdentification'); }
  getState(): Promise<DaemonState> { return this.sv('getState'); }
  getPID(): Promise<number> { return this.sv('getPID'); }
  readLog(offset: number, length: number): Promise<string> { return this.sv('readLog', offset, length); }
  clearLog(): Promise<boolean> { return this.sv('clearLog'); }
  shutdown(): Promise<boolean> { return this.sv('shutdown'); }
  restart(): Promise<boolean> { return this.sv('restart'); }
  reloadConfig(): Promise<[[string[], string[], string[]]]> { return this.sv('reloadConfig'); }
  addProcessGroup(name: string): Promise<boolean> { return this.sv('addProcessGroup', name); }
  removeProcessGroup(name: string): Promise<boolean> { return this.sv('removeProcessGroup', name); }
  startProcess(name: string, wait?: boolean): Promise<boolean> { return this.sv('startProcess', name, wait); }
  startProcessGroup(name: string, wait?: boolean): Promise<ProcessResult[]> { return this.sv('startProcessGroup', name, wait); }
  startAllProcesses(wait?: boolean): Promise<ProcessResult[]> { return this.sv('startAllProcesses', wait); }
  stopProcess(name: string, wait?: boolean): Promise<boolean> { return this.sv('stopProcess', name, wait); }
  stopProcessGroup(name: string, wait?: boolean): Promise<ProcessResult[]> { return this.sv('stopProcessGroup', name, wait); }
  stopAllProcesses(wait?: boolean): Promise<ProcessResult[]> { return this.sv('stopAllProcesses', wait); }
  signalProcess(name: string, signal: string): Promise<boolean> { return this.sv('signalProcess', name, signal); }
  signalProcessGroup(name: string, signal: string): Promise<ProcessResult[]> { return this.sv('signalProcessGroup', name, signal); }
  signalAllProcesses(signal: string): Promise<ProcessResult[]> { return this.sv('signalAllProcesses', signal); }
  getProcessInfo(name: string): Promise<ProcessInfo> { return this.sv('getProcessInfo', name); }
  getAllProcessInfo(): Promise<ProcessInfo[]> { return this.sv('getAllProcessInfo'); }
  getAllConfigInfo(): Promise<ConfigInfo[]> { return this.sv('getAllConfigInfo'); }
  getProcessHistory(name: string): Promise<ProcessEnd[]> { return this.sv('getProcessHistory', name); }
  readProcessStdoutLog(name: string, offset: number, length: number): Promise<string> {
    return this.sv('readProcessStdoutLog', name, offset, length);
  }
  readProcessStderrLog(name: string, offset: number, length: number): Promise<string> {
    return this.sv('readProcessStderrLog', name, offset, length);
  }
  tailProcessStdoutLog(name: string, offset: number, length: number): Promise<[string, number, boolean]> {
    return this.sv('tailProcessStdoutLog', name, offset, length);
  }
  tailProcessStderrLog(name: string, offset: number, length: number): Promise<[string, number, boolean]> {
    return this.sv('tailProcessStderrLog', name, offset, length);
  }
  clearProcessLogs(name: string): Promise<boolean> { return this.sv('clearProcessLogs', name); }
  clearAllProcessLogs(): Promise<ProcessResult[]> { return this.sv('clearAllProcessLogs'); }
  sendProcessStdin(name: string, chars: string): Promise<boolean> { return this.sv('sendProcessStdin', name, chars); }
  sendRemoteCommEvent(type: string, data: string): Promise<boolean> { return this.sv('sendRemoteCommEvent', type, data); }
}
