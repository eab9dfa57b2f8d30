import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../api/control-api.js';
import { completeActions, completeGroups, completeProcesses, completionKind, completionWord } from './completion.js';

const p = (group: string, name: string): ProcessInfo => ({
  name, group, description: '', start: 0, stop: 0, now: 0, state: 20, statename: 'RUNNING', spawnerr: '', exitstatus: 0,
  logfile: '', stdout_logfile: '', stderr_logfile: '', pid: 1,
});

describe('shell completion', () => {
  it('picks what to complete the way Controller.complete does', () => {
    expect(completionKind('')).toBe('actions');
    expect(completionKind('sta')).toBe('actions');
    expect(completionKind('help st')).toBe('actions');
    expect(completionKind('start sl')).toBe('processes');
    expect(completionKind('update ')).toBe('groups');
    expect(completionKind('history we')).toBe('processes');
    expect(completionKind('version ')).toBe('none');
    expect(completionWord('start grp:g')).toBe('grp:g');
    expect(completionWord('tail a-b')).toBe('a-b');
  });

  it('completes names with a trailing space', () => {
    expect(completeActions('st', ['help', 'start', 'status', 'stop', 'tail'])).toEqual(['start ', 'status ', 'stop ']);
    const infos = [p('grp', 'ga'), p('grp', 'gb'), p('sleeper', 'sleeper')];
    expect(completeProcesses('', infos)).toEqual(['grp:ga ', 'grp:* ', 'grp:gb ', 'sleeper ']);
    expect(completeProcesses('s', infos)).toEqual(['sleeper ']);
    expect(completeProcesses('sleeper:', infos)).toEqual(['sleeper:sleeper ', 'sleeper:* ']);
    expect(completeGroups('g', infos)).toEqual(['grp ']);
  });
});
