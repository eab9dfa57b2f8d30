// The one error vocabulary of the control surface: supervisord's XML-RPC faults (xmlrpc.py
// Faults), each with its fault code and the HTTP status the JSON API answers with.

export const FAULTS = {
  UNKNOWN_METHOD: { code: 1, http: 404 },
  INCORRECT_PARAMETERS: { code: 2, http: 400 },
  BAD_ARGUMENTS: { code: 3, http: 400 },
  SIGNATURE_UNSUPPORTED: { code: 4, http: 400 },
  SHUTDOWN_STATE: { code: 6, http: 503 },
  BAD_NAME: { code: 10, http: 404 },
  BAD_SIGNAL: { code: 11, http: 400 },
  NO_FILE: { code: 20, http: 404 },
  NOT_EXECUTABLE: { code: 21, http: 400 },
  FAILED: { code: 30, http: 500 },
  ABNORMAL_TERMINATION: { code: 40, http: 500 },
  SPAWN_ERROR: { code: 50, http: 500 },
  ALREADY_STARTED: { code: 60, http: 409 },
  NOT_RUNNING: { code: 70, http: 409 },
  SUCCESS: { code: 80, http: 200 },
  ALREADY_ADDED: { code: 90, http: 409 },
  STILL_RUNNING: { code: 91, http: 409 },
  CANT_REREAD: { code: 92, http: 400 },
} as const satisfies Record<string, { code: number; http: number }>;

export type FaultName = keyof typeof FAULTS;

/** A control-API failure; faultString is supervisord's `NAME` or `NAME: detail`. */
export class SupervisorError extends Error {
  override readonly name = 'SupervisorError';
  readonly fault: FaultName;
  readonly detail: string | null;

  constructor(fault: FaultName, detail: string | null = null) {
    super(detail === null ? fault : `${fault}: ${detail}`);
    this.fault = fault;
    this.detail = detail;
  }

  get faultCode(): number {
    return FAULTS[this.fault].code;
  }

  get faultString(): string {
    return this.message;
  }

  /** fastify reads `statusCode` from thrown errors. */
  get statusCode(): number {
    return FAULTS[this.fault].http;
  }
}

export function faultNameOf(code: number): FaultName | undefined {
  return (Object.keys(FAULTS) as FaultName[]).find((name) => FAULTS[name].code === code);
}
