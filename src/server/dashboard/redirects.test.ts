import { describe, expect, it } from 'vitest';
import { legacyRedirect } from './redirects.js';

describe("supervisord's page links", () => {
  it('go to the process view for any action on a process (the action itself is never performed)', () => {
    for (const action of ['start', 'stop', 'restart', 'clearlog', 'tail', 'refresh']) {
      expect(legacyRedirect({ action, processname: 'web' })).toBe('/#/process/web');
    }
    expect(legacyRedirect({ processname: 'apps:web_01' })).toBe('/#/process/apps%3Aweb_01');
  });

  it('go to the list without a process (refresh, stopall, restartall) or with an empty one', () => {
    expect(legacyRedirect({ action: 'stopall' })).toBe('/');
    expect(legacyRedirect({ action: 'restartall', processname: '' })).toBe('/');
    expect(legacyRedirect({})).toBe('/');
  });

  it('take the first of repeated names and escape what could leave the fragment', () => {
    expect(legacyRedirect({ processname: ['a', 'b'] })).toBe('/#/process/a');
    expect(legacyRedirect({ processname: 'x/../y?z#w' })).toBe('/#/process/x%2F..%2Fy%3Fz%23w');
  });
});
