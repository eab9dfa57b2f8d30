// The eventlistener protocol as read from a listener's stdout: supervisord's
// PEventListenerDispatcher.handle_listener_state_change, ported statement for statement so the
// same bytes give the same states (including its quirks: the result line is not checked for
// `RESULT `, and a result is only looked at once more bytes arrive after its length line).
// No I/O: the pool feeds it chunks and hears what happened.

export type ListenerState = 'ACKNOWLEDGED' | 'READY' | 'BUSY' | 'UNKNOWN';

export interface ListenerProtocolEvents {
  /** Every state change the protocol makes (supervisord logs it at debug; UNKNOWN also warns). */
  stateChanged(from: ListenerState, to: ListenerState): void;
  /** A complete result for the event in flight. */
  result(body: Buffer): void;
  /** The line after an event was not `RESULT <int>` (told before the listener goes UNKNOWN). */
  badResultLine(line: Buffer): void;
  /** The event in flight is rejected (after a bad result line): buffer it again. */
  rejectInFlight(): void;
  /** READY or unexpected output while no event is in flight: forget any event (process.event = None). */
  clearEvent(): void;
}

const READY_TOKEN = Buffer.from('READY\n');
const RESULT_TOKEN_START_LEN = 'RESULT '.length;
// Python int() of bytes: surrounding whitespace, a sign, ASCII digits with single underscores.
const PY_INT_RE = /^[\t\n\v\f\r ]*[+-]?\d+(?:_\d+)*[\t\n\v\f\r ]*$/u;

export class ListenerProtocol {
  private stateValue: ListenerState = 'ACKNOWLEDGED';
  private buffer: Buffer = Buffer.alloc(0);
  private result: Buffer = Buffer.alloc(0);
  private resultLen: number | null = null;
  private readonly on: ListenerProtocolEvents;

  constructor(on: ListenerProtocolEvents) {
    this.on = on;
  }

  get state(): ListenerState {
    return this.stateValue;
  }

  /** The pool wrote an event to the listener (supervisord sets BUSY without a log line). */
  sent(): void {
    this.stateValue = 'BUSY';
  }

  /** The result handler's verdict moves the state (ACKNOWLEDGED, or UNKNOWN if it failed). */
  change(to: ListenerState): void {
    const from = this.stateValue;
    this.stateValue = to;
    this.on.stateChanged(from, to);
  }

  /** Bytes read from the listener's stdout (an empty chunk at EOF still re-examines the buffer). */
  feed(chunk: Buffer): void {
    if (chunk.length > 0) this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    this.examine();
  }

  private examine(): void {
    // A loop where supervisord recurses ("keep going til its too short").
    for (;;) {
      const data = this.buffer;
      if (data.length === 0) return;
      switch (this.stateValue) {
        case 'UNKNOWN':
          this.buffer = Buffer.alloc(0);
          return;
        case 'ACKNOWLEDGED':
          if (data.length < READY_TOKEN.length) return;
          if (data.subarray(0, READY_TOKEN.length).equals(READY_TOKEN)) {
            this.change('READY');
            this.buffer = this.buffer.subarray(READY_TOKEN.length);
          } else {
            this.change('UNKNOWN');
            this.buffer = Buffer.alloc(0);
          }
          this.on.clearEvent();
          if (this.buffer.length === 0) return;
          continue;
        case 'READY':
          // Spurious output while waiting for an event: supervisord is strict about it.
          this.change('UNKNOWN');
          this.buffer = Buffer.alloc(0);
          this.on.clearEvent();
          return;
        case 'BUSY':
          if (!this.examineBusy()) return;
          if (this.buffer.length === 0) return;
          continue;
      }
    }
  }

  /** One step of the BUSY branch; false when it must wait for more bytes (or gave up). */
  private examineBusy(): boolean {
    if (this.resultLen === null) {
      const pos = this.buffer.indexOf(0x0a);
      if (pos === -1) return false;
      const line = this.buffer.subarray(0, pos);
      this.buffer = this.buffer.subarray(pos + 1);
      const lenText = line.subarray(RESULT_TOKEN_START_LEN).toString('latin1');
      if (!PY_INT_RE.test(lenText)) {
        this.on.badResultLine(Buffer.from(line));
        this.change('UNKNOWN');
        this.buffer = Buffer.alloc(0);
        this.on.rejectInFlight();
        return false;
      }
      this.resultLen = Number.parseInt(lenText.replaceAll('_', ''), 10);
      return true;
    }
    const needed = this.resultLen - this.result.length;
    if (needed > 0) {
      this.result = Buffer.concat([this.result, this.buffer.subarray(0, needed)]);
      this.buffer = this.buffer.subarray(needed);
    }
    // A negative length can never be satisfied: supervisord then stays BUSY for good.
    if (this.resultLen - this.result.length === 0) {
      const body = this.result;
      this.result = Buffer.alloc(0);
      this.resultLen = null;
      this.on.result(body);
    } else if (needed < 0) {
      this.buffer = Buffer.alloc(0);
      return false;
    }
    return true;
  }
}
