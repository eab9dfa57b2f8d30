// Our payloads and envelopes against supervisord's own code: the cases are rendered by
// supervisor/events.py and EventListenerPool._eventEnvelope (Python, Debian's supervisor package)
// and by src/events/payload.ts, and must be identical, character for character.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envelope, payloadOf } from '../src/events/payload.js';
import type { EngineEvent } from '../src/events/types.js';
import type { ProcessState } from '../src/process/state.js';

const PY = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'fixtures', 'event-payloads.py');

type Case = { event: EngineEvent; py: Record<string, unknown> };

const STATES: ProcessState[] = ['STOPPED', 'STARTING', 'RUNNING', 'BACKOFF', 'STOPPING', 'EXITED', 'FATAL', 'UNKNOWN'];
const texts = ['hello\n', 'héllo wörld 😀\n', '', 'a\tb\r\n', '\u0000\u007f'];
const bytes = [Buffer.from([0xff, 0xfe, 0x27]), Buffer.from([0x61, 0xc3]), Buffer.from('it\'s "q"'), Buffer.from([0x5c, 0x0a, 0x80])];

function cases(): Case[] {
  const out: Case[] = [];
  const p = { name: 'web_01', group: 'wéb' };
  for (const to of STATES) {
    for (const expected of [true, false]) {
      out.push({
        event: { name: `PROCESS_STATE_${to}`, at: 0, process: p, from: 'RUNNING', to, tries: 3, expected, pid: 4242 },
        py: { kind: 'state', name: `PROCESS_STATE_${to}`, process: p.name, group: p.group, pid: 4242, tries: 3, from: 'RUNNING', expected },
      });
    }
  }
  for (const data of [...texts.map((t) => Buffer.from(t)), ...bytes]) {
    for (const [name, kind] of [['PROCESS_LOG_STDOUT', 'log'], ['PROCESS_LOG_STDERR', 'log'], ['PROCESS_COMMUNICATION_STDOUT', 'comm'], ['PROCESS_COMMUNICATION_STDERR', 'comm']] as const) {
      const channel = name.endsWith('STDOUT') ? 'stdout' : 'stderr';
      out.push({
        event: { name, at: 0, process: p, pid: 77, channel, data },
        py: { kind, name, process: p.name, group: p.group, pid: 77, data: data.toString('hex') },
      });
    }
  }
  for (const data of texts) out.push({ event: { name: 'REMOTE_COMMUNICATION', at: 0, type: 'deploy ✓', data }, py: { kind: 'remote', type: 'deploy ✓', data } });
  for (const name of ['PROCESS_GROUP_ADDED', 'PROCESS_GROUP_REMOVED'] as const) out.push({ event: { name, at: 0, group: 'redis' }, py: { kind: 'group', name, group: 'redis' } });
  for (const name of ['TICK_5', 'TICK_60', 'TICK_3600'] as const) out.push({ event: { name, at: 0, when: 1_796_168_130 }, py: { kind: 'tick', name, when: 1_796_168_130 } });
  for (const name of ['SUPERVISOR_STATE_CHANGE_RUNNING', 'SUPERVISOR_STATE_CHANGE_STOPPING'] as const) out.push({ event: { name, at: 0 }, py: { kind: 'supervisor', name } });
  return out;
}

describe('event payloads and envelopes, against supervisor/events.py', () => {
  it('are identical for every event type, text and undecodable output', () => {
    const all = cases().map((c, i) => ({ ...c, fields: { server: i % 2 === 0 ? 'supervisor' : 'host-1', serial: i * 7, pool: 'crashmail', poolSerial: i } }));
    const run = spawnSync(PY, [SCRIPT], { input: JSON.stringify(all.map((c) => ({ ...c.py, ...c.fields }))), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const theirs = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { payload: string; envelope: string });
    expect(theirs).toHaveLength(all.length);
    const ours = all.map((c) => ({ payload: payloadOf(c.event), envelope: envelope(c.event, c.fields).toString('utf8') }));
    expect(ours).toEqual(theirs);
  });
});
