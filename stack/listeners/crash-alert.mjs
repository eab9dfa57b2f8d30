#!/usr/bin/env node
// An event listener for the example stack, speaking supervisord's eventlistener protocol (it runs
// unchanged under Python supervisord): every unexpected exit and every program that gave up
// (FATAL) becomes one line in the alerts file given as the first argument, e.g.
//
//   2026-12-01T10:00:00.000Z redisd_6380 EXITED unexpectedly (was RUNNING, pid 1234)
//
// The protocol: write READY, read one header line `ver:3.0 server:... len:N`, then a payload of
// N characters (Python counts characters, not bytes), answer RESULT 2 / OK, and repeat.
import { appendFileSync } from 'node:fs';

const alerts = process.argv[2];
if (alerts === undefined) {
  process.stderr.write('usage: crash-alert.mjs ALERTS_FILE\n');
  process.exit(2);
}

const fields = (text) => Object.fromEntries(text.trim().split(' ').map((kv) => {
  const at = kv.indexOf(':');
  return [kv.slice(0, at), kv.slice(at + 1)];
}));

function alert(eventName, payload) {
  const p = fields(payload.split('\n')[0] ?? '');
  const state = eventName.replace('PROCESS_STATE_', '');
  if (state === 'EXITED' && p.expected === '1') return;
  const what = state === 'FATAL' ? 'FATAL: gave up after too many quick exits' : 'EXITED unexpectedly';
  const pid = p.pid === undefined ? '' : `, pid ${p.pid}`;
  appendFileSync(alerts, `${new Date().toISOString()} ${p.processname} ${what} (was ${p.from_state}${pid})\n`);
}

let pending = Buffer.alloc(0);
let header = null;

// Takes `chars` characters' worth of UTF-8 off the front of `bytes`, or null if not all there yet.
function takeChars(bytes, chars) {
  let i = 0;
  for (let n = 0; n < chars; n++) {
    if (i >= bytes.length) return null;
    const b = bytes[i];
    i += b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  }
  return i > bytes.length ? null : i;
}

function drain() {
  for (;;) {
    if (header === null) {
      const nl = pending.indexOf(0x0a);
      if (nl === -1) return;
      header = fields(pending.subarray(0, nl).toString('utf8'));
      pending = pending.subarray(nl + 1);
    }
    const end = takeChars(pending, Number(header.len));
    if (end === null) return;
    const payload = pending.subarray(0, end).toString('utf8');
    pending = pending.subarray(end);
    try {
      alert(header.eventname, payload);
    } catch (error) {
      process.stderr.write(`crash-alert: ${error.message}\n`);
    }
    header = null;
    process.stdout.write('RESULT 2\nOKREADY\n');
  }
}

process.stdin.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  drain();
});
process.stdin.on('end', () => process.exit(0));
process.stdout.write('READY\n');
