// supervisord's XML-RPC namespace: every `supervisor.*` and `system.*` method, its parameters
// (checked before the call: wrong count or type -> INCORRECT_PARAMETERS, as Python's TypeError
// mapping), help text and signature, dispatched onto ControlApi.

import type { ControlApi } from '../../api/control-api.js';
import { SupervisorError } from '../../errors.js';
import type { XmlRpcValue } from '../../xmlrpc/codec.js';

type ParamType = 'string' | 'int' | 'boolean';

interface MethodSpec {
  /** Parameter types; the trailing `optional` ones may be omitted. */
  readonly params: readonly ParamType[];
  readonly optional?: number;
  readonly returns: string;
  readonly help: string;
  readonly call: (api: ControlApi, args: XmlRpcValue[]) => Promise<unknown>;
}

const s = (v: XmlRpcValue | undefined): string => v as string;
const n = (v: XmlRpcValue | undefined): number => v as number;
const b = (v: XmlRpcValue | undefined, fallback: boolean): boolean => (v === undefined ? fallback : v as boolean);
/** A signal argument: a name ('HUP') or a number (1); checkParams admits only those. */
const sig = (v: XmlRpcValue | undefined): string => (typeof v === 'number' ? String(v) : s(v));

const SUPERVISOR: Readonly<Record<string, MethodSpec>> = {
  getAPIVersion: { params: [], returns: 'string', help: 'Return the version of the RPC API used by supervisord', call: (api) => api.getAPIVersion() },
  getSupervisorVersion: { params: [], returns: 'string', help: 'Return the version of the supervisor package in use by supervisord', call: (api) => api.getSupervisorVersion() },
  getIdentification: { params: [], returns: 'string', help: 'Return identifying string of supervisord', call: (api) => api.getIdentification() },
  getState: { params: [], returns: 'struct', help: 'Return current state of supervisord as a struct', call: (api) => api.getState() },
  getPID: { params: [], returns: 'int', help: 'Return the PID of supervisord', call: (api) => api.getPID() },
  readLog: { params: ['int', 'int'], returns: 'string', help: 'Read length bytes from the main log starting at offset', call: (api, a) => api.readLog(n(a[0]), n(a[1])) },
  clearLog: { params: [], returns: 'boolean', help: 'Clear the main log.', call: (api) => api.clearLog() },
  shutdown: { params: [], returns: 'boolean', help: 'Shut down the supervisor process', call: (api) => api.shutdown() },
  restart: { params: [], returns: 'boolean', help: 'Restart the supervisor process', call: (api) => api.restart() },
  reloadConfig: { params: [], returns: 'array', help: 'Reload the configuration.', call: (api) => api.reloadConfig() },
  addProcessGroup: { params: ['string'], returns: 'boolean', help: 'Update the config for a running process from config file.', call: (api, a) => api.addProcessGroup(s(a[0])) },
  removeProcessGroup: { params: ['string'], returns: 'boolean', help: 'Remove a stopped process from the active configuration.', call: (api, a) => api.removeProcessGroup(s(a[0])) },
  startProcess: { params: ['string', 'boolean'], optional: 1, returns: 'boolean', help: 'Start a process', call: (api, a) => api.startProcess(s(a[0]), b(a[1], true)) },
  startProcessGroup: { params: ['string', 'boolean'], optional: 1, returns: 'array', help: "Start all processes in the group named 'name'", call: (api, a) => api.startProcessGroup(s(a[0]), b(a[1], true)) },
  startAllProcesses: { params: ['boolean'], optional: 1, returns: 'array', help: 'Start all processes listed in the configuration file', call: (api, a) => api.startAllProcesses(b(a[0], true)) },
  stopProcess: { params: ['string', 'boolean'], optional: 1, returns: 'boolean', help: 'Stop a process named by name', call: (api, a) => api.stopProcess(s(a[0]), b(a[1], true)) },
  stopProcessGroup: { params: ['string', 'boolean'], optional: 1, returns: 'array', help: "Stop all processes in the process group named 'name'", call: (api, a) => api.stopProcessGroup(s(a[0]), b(a[1], true)) },
  stopAllProcesses: { params: ['boolean'], optional: 1, returns: 'array', help: 'Stop all processes in the process list', call: (api, a) => api.stopAllProcesses(b(a[0], true)) },
  signalProcess: { params: ['string', 'string'], returns: 'boolean', help: 'Send an arbitrary UNIX signal to the process named by name', call: (api, a) => api.signalProcess(s(a[0]), sig(a[1])) },
  signalProcessGroup: { params: ['string', 'string'], returns: 'array', help: "Send a signal to all processes in the group named 'name'", call: (api, a) => api.signalProcessGroup(s(a[0]), sig(a[1])) },
  signalAllProcesses: { params: ['string'], returns: 'array', help: 'Send a signal to all processes in the process list', call: (api, a) => api.signalAllProcesses(sig(a[0])) },
  getAllConfigInfo: { params: [], returns: 'array', help: 'Get info about all available process configurations.', call: (api) => api.getAllConfigInfo() },
  getProcessInfo: { params: ['string'], returns: 'struct', help: 'Get info about a process named name', call: (api, a) => api.getProcessInfo(s(a[0])) },
  getAllProcessInfo: { params: [], returns: 'array', help: 'Get info about all processes', call: (api) => api.getAllProcessInfo() },
  getProcessHistory: { params: ['string'], returns: 'array', help: 'Get the last ends of a process named name, newest first (tssupervisor)', call: (api, a) => api.getProcessHistory(s(a[0])) },
  readProcessStdoutLog: { params: ['string', 'int', 'int'], returns: 'string', help: 'Read length bytes from name\'s stdout log starting at offset', call: (api, a) => api.readProcessStdoutLog(s(a[0]), n(a[1]), n(a[2])) },
  readProcessStderrLog: { params: ['string', 'int', 'int'], returns: 'string', help: 'Read length bytes from name\'s stderr log starting at offset', call: (api, a) => api.readProcessStderrLog(s(a[0]), n(a[1]), n(a[2])) },
  tailProcessStdoutLog: { params: ['string', 'int', 'int'], returns: 'array', help: "Provides a more efficient way to tail the (stdout) log than readProcessStdoutLog().", call: (api, a) => api.tailProcessStdoutLog(s(a[0]), n(a[1]), n(a[2])) },
  tailProcessStderrLog: { params: ['string', 'int', 'int'], returns: 'array', help: "Provides a more efficient way to tail the (stderr) log than readProcessStderrLog().", call: (api, a) => api.tailProcessStderrLog(s(a[0]), n(a[1]), n(a[2])) },
  clearProcessLogs: { params: ['string'], returns: 'boolean', help: 'Clear the stdout and stderr logs for the named process and reopen them.', call: (api, a) => api.clearProcessLogs(s(a[0])) },
  clearAllProcessLogs: { params: [], returns: 'array', help: 'Clear all process log files', call: (api) => api.clearAllProcessLogs() },
  sendProcessStdin: { params: ['string', 'string'], returns: 'boolean', help: 'Send a string of chars to the stdin of the process name.', call: (api, a) => api.sendProcessStdin(s(a[0]), s(a[1])) },
  sendRemoteCommEvent: { params: ['string', 'string'], returns: 'boolean', help: 'Send an event that will be received by event listener subprocesses subscribing to the RemoteCommunicationEvent.', call: (api, a) => api.sendRemoteCommEvent(s(a[0]), s(a[1])) },
};

// supervisord's backwards-compatible aliases.
const ALIASES: Readonly<Record<string, string>> = {
  getVersion: 'getAPIVersion', readMainLog: 'readLog', readProcessLog: 'readProcessStdoutLog',
  tailProcessLog: 'tailProcessStdoutLog', clearProcessLog: 'clearProcessLogs',
};

function lookup(methodName: string): MethodSpec | undefined {
  const [ns, name, ...rest] = methodName.split('.');
  if (ns !== 'supervisor' || name === undefined || rest.length > 0 || name.startsWith('_')) return undefined;
  return SUPERVISOR[ALIASES[name] ?? name];
}

function typeOk(type: ParamType, value: XmlRpcValue): boolean {
  // Safe integers only: XML-RPC's decoder never yields more, and JSON's 1e300 is "integral" too.
  if (type === 'int') return typeof value === 'number' && Number.isSafeInteger(value);
  // Signals arrive as names or numbers; strings are otherwise strict.
  if (type === 'boolean') return typeof value === 'boolean';
  return typeof value === 'string';
}

function checkParams(spec: MethodSpec, params: XmlRpcValue[], methodName: string): void {
  const min = spec.params.length - (spec.optional ?? 0);
  const arityOk = params.length >= min && params.length <= spec.params.length;
  const signalArg = methodName.startsWith('supervisor.signal');
  const typesOk = params.every((p, i) => {
    const type = spec.params[i];
    if (type === undefined) return false;
    // supervisord accepts a signal as a number too ('1' or 1).
    if (signalArg && i === spec.params.length - 1 && typeof p === 'number') return true;
    return typeOk(type, p);
  });
  if (!arityOk || !typesOk) throw new SupervisorError('INCORRECT_PARAMETERS');
}

export function listMethods(): string[] {
  return [
    ...[...Object.keys(SUPERVISOR), ...Object.keys(ALIASES)].map((m) => `supervisor.${m}`),
    'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall',
  ].sort();
}

const SYSTEM_SIGNATURES: Readonly<Record<string, string[]>> = {
  'system.listMethods': ['array'],
  'system.methodHelp': ['string', 'string'],
  'system.methodSignature': ['array', 'string'],
  'system.multicall': ['array', 'array'],
};

/** Runs one XML-RPC call; throws SupervisorError for faults. */
export async function dispatch(api: ControlApi, methodName: string, params: XmlRpcValue[], depth = 0): Promise<unknown> {
  switch (methodName) {
    case 'system.listMethods':
      return listMethods();
    case 'system.methodHelp':
    case 'system.methodSignature': {
      const target = typeof params[0] === 'string' ? params[0] : '';
      const system = SYSTEM_SIGNATURES[target];
      const spec = lookup(target);
      if (spec === undefined && system === undefined) throw new SupervisorError('SIGNATURE_UNSUPPORTED');
      if (methodName === 'system.methodHelp') return spec?.help ?? target;
      return system ?? [spec?.returns ?? 'string', ...(spec?.params ?? [])];
    }
    case 'system.multicall':
      return multicall(api, params[0], depth);
    default: {
      const spec = lookup(methodName);
      if (spec === undefined) throw new SupervisorError('UNKNOWN_METHOD');
      checkParams(spec, params, methodName);
      return spec.call(api, params);
    }
  }
}

/** system.multicall: results in order, each a value or a fault struct (not wrapped, as supervisord). */
async function multicall(api: ControlApi, calls: XmlRpcValue | undefined, depth: number): Promise<unknown[]> {
  if (!Array.isArray(calls)) throw new SupervisorError('INCORRECT_PARAMETERS');
  const results: unknown[] = [];
  for (const call of calls) {
    try {
      if (call === null || typeof call !== 'object' || Array.isArray(call)) throw new SupervisorError('INCORRECT_PARAMETERS');
      const name = call['methodName'];
      const params = call['params'] ?? [];
      if (typeof name !== 'string' || !Array.isArray(params)) throw new SupervisorError('INCORRECT_PARAMETERS');
      if (name === 'system.multicall' || depth > 0) throw new SupervisorError('INCORRECT_PARAMETERS', 'Recursive system.multicall forbidden');
      results.push(await dispatch(api, name, params, depth + 1));
    } catch (error) {
      if (!(error instanceof SupervisorError)) throw error;
      results.push({ faultCode: error.faultCode, faultString: error.faultString });
    }
  }
  return results;
}
