import { describe, expect, it } from 'vitest';
import { sseComment, sseEvent, sseRetry } from './sse.js';

describe('SSE framing', () => {
  it('frames an event as event: + data: lines and a blank line', () => {
    expect(sseEvent('state', '{"a":1}')).toBe('event: state\ndata: {"a":1}\n\n');
  });

  it('splits data on every kind of line break, so no CR or LF can end a field early or inject one', () => {
    expect(sseEvent('x', 'a\nb\r\nc\rd')).toBe('event: x\ndata: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(sseEvent('x', 'evil\n\nevent: forged')).toBe('event: x\ndata: evil\ndata: \ndata: event: forged\n\n');
  });

  it('refuses a multi-line event name', () => {
    expect(() => sseEvent('a\nb', '')).toThrow(/one line/u);
  });

  it('writes comments on one line and retry as whole milliseconds', () => {
    expect(sseComment('heart\nbeat')).toBe(': heart beat\n\n');
    expect(sseRetry(2000.7)).toBe('retry: 2000\n\n');
    expect(sseRetry(-5)).toBe('retry: 0\n\n');
  });
});
