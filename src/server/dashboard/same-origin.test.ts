import { describe, expect, it } from 'vitest';
import { sameOriginAllowed } from './same-origin.js';

describe('sameOriginAllowed', () => {
  it('lets safe methods and requests without Origin through (supervisorctl, curl)', () => {
    expect(sameOriginAllowed('GET', 'https://evil.example', 'localhost:9001')).toBe(true);
    expect(sameOriginAllowed('POST', undefined, 'localhost:9001')).toBe(true);
  });

  it("lets the page's own requests through, whatever the case of the host", () => {
    expect(sameOriginAllowed('POST', 'http://127.0.0.1:9001', '127.0.0.1:9001')).toBe(true);
    expect(sameOriginAllowed('DELETE', 'http://LocalHost:9001', 'localhost:9001')).toBe(true);
  });

  it('refuses another origin, another port, null and junk', () => {
    expect(sameOriginAllowed('POST', 'https://evil.example', '127.0.0.1:9001')).toBe(false);
    expect(sameOriginAllowed('POST', 'http://127.0.0.1:9002', '127.0.0.1:9001')).toBe(false);
    expect(sameOriginAllowed('PUT', 'null', '127.0.0.1:9001')).toBe(false);
    expect(sameOriginAllowed('POST', 'not a url', '127.0.0.1:9001')).toBe(false);
    expect(sameOriginAllowed('POST', 'http://127.0.0.1:9001', undefined)).toBe(false);
  });
});
