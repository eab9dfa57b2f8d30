// reread/update: which groups a new config adds, changes or removes compared with the running
// one (supervisord.py diff_to_active). A group is changed when any of its resolved settings differ.

import type { GroupConfig, ProcessConfig } from './schema.js';

export interface ConfigDiff {
  readonly added: readonly GroupConfig[];
  readonly changed: readonly GroupConfig[];
  readonly removed: readonly GroupConfig[];
}

/** Where a section was written is not a setting: moving it to another file changes nothing. */
function comparable(group: GroupConfig): string {
  const processes = group.processes.map(({ file: _file, section: _section, ...rest }: ProcessConfig) => rest);
  return JSON.stringify({ ...group, processes });
}

export function diffConfigs(current: readonly GroupConfig[], next: readonly GroupConfig[]): ConfigDiff {
  const currentByName = new Map(current.map((g) => [g.name, g]));
  const nextNames = new Set(next.map((g) => g.name));
  return {
    added: next.filter((g) => !currentByName.has(g.name)),
    changed: next.filter((g) => {
      const before = currentByName.get(g.name);
      return before !== undefined && comparable(before) !== comparable(g);
    }),
    removed: current.filter((g) => !nextNames.has(g.name)),
  };
}
