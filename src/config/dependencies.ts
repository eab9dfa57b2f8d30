// `depends_on=` (a tssupervisor extension): resolving the names each process wrote into the
// processes they mean, once every group is known, and the mistakes that makes visible (unknown
// names, a process depending on itself, cycles). Pure; the daemon uses the same resolution at run
// time (start-plan.ts), where the groups can change with `update`.

import { makeNamespec } from '../api/namespec.js';
import type { GroupConfig, ProcessConfig } from './schema.js';

/** Namespec -> the namespecs of its direct dependencies, in the order written; every process has an entry. */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

export interface DependencyProblem {
  /** The section whose `depends_on` is wrong, e.g. `program:a`. */
  readonly section: string;
  readonly message: string;
}

export interface ResolvedDependencies {
  readonly graph: DependencyGraph;
  readonly problems: readonly DependencyProblem[];
}

export function namespecOf(p: ProcessConfig): string {
  return makeNamespec(p.group, p.name);
}

/**
 * One `depends_on` entry -> the processes it names: a program name (all its processes, whatever
 * group holds them), `group:name` (one process) or `group:*` (the whole group); or why none.
 */
function resolveEntry(entry: string, groups: readonly GroupConfig[]): readonly ProcessConfig[] | string {
  const colon = entry.indexOf(':');
  if (colon === -1) {
    const matches = groups.flatMap((g) => g.processes.filter((p) => p.programName === entry));
    if (matches.length > 0) return matches;
    return groups.some((g) => g.name === entry)
      ? `${entry} is a group, not a program: write ${entry}:* for all its processes`
      : `no program named ${entry}`;
  }
  const groupName = entry.slice(0, colon);
  const processName = entry.slice(colon + 1);
  const group = groups.find((g) => g.name === groupName);
  if (group === undefined) return `no group named ${groupName}`;
  if (processName === '*') return group.processes;
  const process = group.processes.find((p) => p.name === processName);
  return process === undefined ? `group ${groupName} has no process named ${processName}` : [process];
}

/** Strongly connected components (Tarjan, iterative: a chain of 10,000 processes must not overflow the stack). */
function components(nodes: readonly string[], graph: DependencyGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame === undefined) break;
      const edges = graph.get(frame.node) ?? [];
      const to = edges[frame.next++];
      if (to !== undefined) {
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(to) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
          onStack.delete(member);
          component.push(member);
          if (member === frame.node) break;
        }
        result.push(component);
      }
    }
  }
  return result;
}

/** The shortest path from `start` back to itself inside one component (breadth first). */
function cycleThrough(start: string, members: ReadonlySet<string>, graph: DependencyGraph): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] ?? start;
    for (const to of graph.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = cameFrom.get(at)) path.unshift(at);
        return [start, ...path];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

/**
 * Resolves every process's `depends_on` against `groups`. Unknown names and self-dependencies
 * are dropped from the graph (and reported); each cycle is reported once, on the section of its
 * first process in the config's group order, as `cycle a -> b -> a`.
 */
export function resolveDependencies(groups: readonly GroupConfig[]): ResolvedDependencies {
  const graph = new Map<string, string[]>();
  const problems: DependencyProblem[] = [];
  const sectionOf = new Map<string, string>();
  for (const group of groups) {
    for (const p of group.processes) {
      const self = namespecOf(p);
      sectionOf.set(self, p.section);
      const deps: string[] = [];
      for (const entry of p.dependsOn) {
        const targets = resolveEntry(entry, groups);
        if (typeof targets === 'string') {
          problems.push({ section: p.section, message: targets });
          continue;
        }
        for (const target of targets) {
          const name = namespecOf(target);
          if (name === self) problems.push({ section: p.section, message: `${self} cannot depend on itself (${entry} names it)` });
          else if (!deps.includes(name)) deps.push(name);
        }
      }
      graph.set(self, deps);
    }
  }
  const order = [...graph.keys()];
  const position = new Map(order.map((n, i) => [n, i]));
  for (const component of components(order, graph)) {
    if (component.length < 2) continue;
    const first = component.reduce((a, b) => ((position.get(a) ?? 0) <= (position.get(b) ?? 0) ? a : b));
    const cycle = cycleThrough(first, new Set(component), graph);
    problems.push({ section: sectionOf.get(first) ?? '', message: `cycle ${cycle.join(' -> ')}` });
  }
  return { graph, problems };
}
