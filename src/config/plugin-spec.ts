// `module:attribute` specs naming Python code: [rpcinterface:x] supervisor.rpcinterface_factory
// and [eventlistener:x] result_handler. supervisord imports them while reading the config
// (options.py import_spec) and rejects one it cannot parse or import. We run no Python: a spec
// into supervisor's own package must be one we implement; one into another package is accepted
// with a warning (supervisord would import it if it is installed), and does nothing here.

import { ValueProblem } from './value-problem.js';

// pkg_resources EntryPoint.parse('x=' + spec): a dotted module, optionally `:` dotted attribute.
const SPEC_RE = /^\s*(?<module>[\w.]+)\s*(?::\s*(?<attr>[\w.]+))?\s*(?:\[.*\])?\s*$/u;
const DOTTED_RE = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/u;

export type SpecOwner = 'ours' | 'foreign';

/** Checks `spec` against the ones tssupervisor provides; throws ValueProblem with the reason. */
export function pluginSpec(spec: string, provided: readonly string[]): SpecOwner {
  const m = SPEC_RE.exec(spec)?.groups;
  const module = m?.['module'];
  if (module === undefined || !DOTTED_RE.test(module) || (m?.['attr'] !== undefined && !DOTTED_RE.test(m['attr']))) {
    throw new ValueProblem('not a Python entry point (module:attribute, e.g. supervisor.rpcinterface:make_main_rpcinterface)');
  }
  if (module !== 'supervisor' && !module.startsWith('supervisor.')) return 'foreign';
  const normal = m?.['attr'] === undefined ? module : `${module}:${m['attr']}`;
  if (provided.includes(normal)) return 'ours';
  throw new ValueProblem(`cannot be resolved: of supervisor's own package, tssupervisor provides ${provided.join(', ')}`);
}
