// Keeps the daemon's memory flat under bursts of requests. V8 doubles its young generation (up to
// 2 x 16 MB semi-spaces) whenever allocation is fast, and gives it back only when its memory
// reducer runs, which an idle daemon (no garbage collections) may never trigger: a storm of 10,000
// malformed requests left RSS 40 MB up for good, while the live heap grew by under 3 MB (code and
// inline caches) and no object was retained. A supervisor's request rate needs no large nursery,
// so the young generation stays at its initial size: more, shorter scavenges, and RSS that
// returns. --max-semi-space-size would say the same but is only read at start-up, and the daemon
// cannot choose node's flags when it is run as `node tssupervisord.js`; the growth factor is read
// at each resize.

import { setFlagsFromString } from 'node:v8';

export function boundYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
