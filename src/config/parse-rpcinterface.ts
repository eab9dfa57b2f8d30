// [rpcinterface:x] sections (options.py get_plugins). supervisord imports the factory while reading
// the config and expands every value of the section with the environment only: no %(here)s (unless
// an [include] section made configparser substitute it), no %(host_node_name)s.

import { posix as path } from 'node:path';
import { expand, type Expansions } from './expand.js';
import type { IniDocument } from './ini-reader.js';
import { pluginSpec } from './plugin-spec.js';
import { SectionReader, type IssueLog } from './section-reader.js';

const FACTORY_KEY = 'supervisor.rpcinterface_factory';
const MAIN_FACTORY = 'supervisor.rpcinterface:make_main_rpcinterface';

export function checkRpcInterfaces(doc: IniDocument, log: IssueLog, envExpansions: Expansions, mainFile: string): void {
  const hasInclude = doc.sections.has('include');
  for (const name of [...doc.sections.keys()].filter((n) => n.startsWith('rpcinterface:'))) {
    const r = new SectionReader(doc, name, log, envExpansions, mainFile);
    // configparser's options() of a section include [DEFAULT]'s.
    const keys = new Set([...(doc.sections.get(name)?.options.keys() ?? []), ...doc.defaults.keys()]);
    const values = new Map<string, string>();
    for (const key of keys) {
      const raw = r.raw(key);
      if (raw === undefined) continue;
      // expand_here substitutes the folder of the file the value came from.
      const here = hasInclude ? { here: path.dirname(raw.file) } : {};
      r.check(key, undefined, () => values.set(key, expand(raw.value, { ...envExpansions, ...here })));
    }
    const factory = values.get(FACTORY_KEY);
    if (!keys.has(FACTORY_KEY)) {
      r.sectionProblem(`no ${FACTORY_KEY}= given (for supervisorctl: ${FACTORY_KEY} = ${MAIN_FACTORY})`);
    } else if (factory !== undefined) {
      const owner = r.check(FACTORY_KEY, 'ours', () => pluginSpec(factory, [MAIN_FACTORY]));
      if (owner === 'foreign') r.warn(`[${name}] ${FACTORY_KEY}=${factory}: tssupervisor runs no Python code, so this interface is not served`);
    }
  }
}
