import { describe, expect, it } from 'vitest';
import { ListenerProtocol, type ListenerState } from './listener-protocol.js';

function reader(): { protocol: ListenerProtocol; said: string[] } {
  const said: string[] = [];
  const protocol = new ListenerProtocol({
    stateChanged: (from: ListenerState, to: ListenerState) => said.push(`${from}->${to}`),
    result: (body) => {
      said.push(`result:${body.toString()}`);
      protocol.change('ACKNOWLEDGED');
    },
    badResultLine: (line) => said.push(`bad:${line.toString()}`),
    rejectInFlight: () => said.push('reject'),
    clearEvent: () => said.push('clear'),
  });
  return { protocol, said };
}

describe('ListenerProtocol (PEventListenerDispatcher.handle_listener_state_change)', () => {
  it('waits for a whole READY line, even split across reads', () => {
    const { protocol, said } = reader();
    protocol.feed(Buffer.from('REA'));
    expect(protocol.state).toBe('ACKNOWLEDGED');
    protocol.feed(Buffer.from('DY\n'));
    expect(protocol.state).toBe('READY');
    expect(said).toEqual(['ACKNOWLEDGED->READY', 'clear']);
  });

  it('reads a result split anywhere, then the next READY in the same read', () => {
    const { protocol, said } = reader();
    protocol.feed(Buffer.from('READY\n'));
    protocol.sent();
    protocol.feed(Buffer.from('RESULT 2\nO'));
    expect(said).not.toContain('result:OK');
    protocol.feed(Buffer.from('KREADY\n'));
    expect(said.slice(2)).toEqual(['result:OK', 'BUSY->ACKNOWLEDGED', 'ACKNOWLEDGED->READY', 'clear']);
    expect(protocol.state).toBe('READY');
  });

  it('looks at a complete result only when more bytes follow its length line (supervisord does)', () => {
    const { protocol, said } = reader();
    protocol.feed(Buffer.from('READY\n'));
    protocol.sent();
    protocol.feed(Buffer.from('RESULT 0\n'));
    expect(said).not.toContain('result:');
    protocol.feed(Buffer.from('READY\n'));
    expect(said).toContain('result:');
    expect(protocol.state).toBe('READY');
  });

  it('goes UNKNOWN on output while READY, and on anything but READY first', () => {
    const a = reader();
    a.protocol.feed(Buffer.from('READY\nhello'));
    expect(a.protocol.state).toBe('UNKNOWN');
    a.protocol.feed(Buffer.from('READY\n'));
    expect(a.protocol.state).toBe('UNKNOWN');
    const b = reader();
    b.protocol.feed(Buffer.from('hello there\n'));
    expect(b.said).toEqual(['ACKNOWLEDGED->UNKNOWN', 'clear']);
  });

  it('rejects the event in flight on a bad result line, warning before going UNKNOWN', () => {
    const { protocol, said } = reader();
    protocol.feed(Buffer.from('READY\n'));
    protocol.sent();
    protocol.feed(Buffer.from('RESULT two\n'));
    expect(said.slice(2)).toEqual(['bad:RESULT two', 'BUSY->UNKNOWN', 'reject']);
  });

  it('takes any 7 characters before the length, and Python int() spellings of it', () => {
    const { protocol, said } = reader();
    protocol.feed(Buffer.from('READY\n'));
    protocol.sent();
    protocol.feed(Buffer.from('XXXXXXX 1_0\n0123456789READY\n'));
    expect(said).toContain('result:0123456789');
    expect(protocol.state).toBe('READY');
  });
});
