// The order `depends_on` imposes (pure): which processes a process needs, an order to start them
// in that follows the graph (the existing priority order breaking ties), and its reverse for
// stopping. The supervisor walks the start order and spawns each process as soon as its own
// dependencies are RUNNING, so independent branches come up side by side, never one after the
// other; with no depends_on anywhere the order is exactly the priority order of before.

import { namespecOf, resolveDependencies } from '../config/dependencies.js';
import type { GroupConfig } from '../config/schema.js';

/** A binary min-heap of indexes: the next process to place is the one first in priority order. */
class IndexHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const a = this.items;
    a.push(value);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if ((a[parent] ?? 0) <= value) break;
      a[i] = a[parent] ?? 0;
      a[parent] = value;
      i = parent;
    }
  }

  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    a[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < a.length && (a[l] ?? 0) < (a[min] ?? 0)) min = l;
      if (r < a.length && (a[r] ?? 0) < (a[min] ?? 0)) min = r;
      if (min === i) break;
      a[i] = a[min] ?? 0;
      a[min] = last;
      i = min;
    }
    return top;
  }
}

export class StartPlan {
  /** Namespecs in start order. */
  private readonly order: readonly string[];
  private readonly position: ReadonlyMap<string, number>;
  private readonly deps: ReadonlyMap<string, readonly string[]>;
  private readonly dependentsOf: ReadonlyMap<string, readonly string[]>;
  /** Whether any process depends on another: if not, every caller keeps its old path. */
  readonly hasDependencies: boolean;

  /**
   * `graph` (namespec -> direct dependencies) over `base`, the namespecs in today's priority
   * order. Dependencies outside `base` are ignored. A cycle (impossible in a validated config,
   * possible at run time after a partial `update`) is broken rather than waited on for ever: its
   * processes go in priority order and only the edges that point backwards are kept.
   */
  constructor(base: readonly string[], graph: ReadonlyMap<string, readonly string[]>) {
    const index = new Map(base.map((name, i) => [name, i]));
    const known = (name: string): boolean => index.has(name);
    const waitingOn = base.map((name) => new Set((graph.get(name) ?? []).filter(known)));
    const needers = new Map<string, string[]>();
    for (const [i, name] of base.entries()) {
      for (const dep of waitingOn[i] ?? []) needers.set(dep, [...(needers.get(dep) ?? []), name]);
    }
    const heap = new IndexHeap();
    for (const [i, set] of waitingOn.entries()) if (set.size === 0) heap.push(i);
    const order: string[] = [];
    const placed = new Set<string>();
    const place = (i: number): void => {
      const name = base[i];
      if (name === undefined || placed.has(name)) return;
      placed.add(name);
      order.push(name);
      for (const needer of needers.get(name) ?? []) {
        const j = index.get(needer) ?? -1;
        const set = waitingOn[j];
        if (set === undefined) continue;
        set.delete(name);
        if (set.size === 0 && !placed.has(needer)) heap.push(j);
      }
    };
    for (;;) {
      for (let i = heap.pop(); i !== undefined; i = heap.pop()) place(i);
      if (order.length === base.length) break;
      // A cycle: place its first process in priority order and carry on from there.
      const stuck = base.findIndex((name) => !placed.has(name));
      place(stuck);
    }
    this.order = order;
    this.position = new Map(order.map((name, i) => [name, i]));
    const at = (name: string): number => this.position.get(name) ?? -1;
    const deps = new Map<string, string[]>();
    const dependents = new Map<string, string[]>();
    for (const name of base) {
      const own = [...new Set(graph.get(name) ?? [])].filter((dep) => known(dep) && at(dep) < at(name));
      deps.set(name, own);
      for (const dep of own) dependents.set(dep, [...(dependents.get(dep) ?? []), name]);
    }
    this.deps = deps;
    this.dependentsOf = dependents;
    this.hasDependencies = [...deps.values()].some((d) => d.length > 0);
  }

  /** The plan for the groups as the supervisor holds them, in that (priority) order. */
  static forGroups(groups: readonly GroupConfig[]): StartPlan {
    const base = groups.flatMap((g) => g.processes.map(namespecOf));
    return new StartPlan(base, resolveDependencies(groups).graph);
  }

  /** What `name` needs RUNNING before it may be spawned. */
  dependencies(name: string): readonly string[] {
    return this.deps.get(name) ?? [];
  }

  /** Who needs `name` directly. */
  dependents(name: string): readonly string[] {
    return this.dependentsOf.get(name) ?? [];
  }

  /** Everything `name` needs, directly or through others, in start order. */
  transitiveDependencies(name: string): string[] {
    return this.startOrder(reach(name, (n) => this.dependencies(n)));
  }

  /** Everything that needs `name`, directly or through others, in stop order. */
  transitiveDependents(name: string): string[] {
    return this.stopOrder(reach(name, (n) => this.dependents(n)));
  }

  /** `names` (default: all) in start order: every process after what it depends on. */
  startOrder(names?: Iterable<string>): string[] {
    if (names === undefined) return [...this.order];
    const at = (name: string): number => this.position.get(name) ?? Number.MAX_SAFE_INTEGER;
    return [...new Set(names)].sort((a, b) => at(a) - at(b));
  }

  /** `names` (default: all) in stop order: every process before what it depends on. */
  stopOrder(names?: Iterable<string>): string[] {
    return this.startOrder(names).reverse();
  }
}

/** Every name reached from `name` by following `next` (not `name` itself, unless in a cycle). */
function reach(name: string, next: (n: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...next(name)];
  for (let n = todo.pop(); n !== undefined; n = todo.pop()) {
    if (seen.has(n)) continue;
    seen.add(n);
    todo.push(...next(n));
  }
  return seen;
}
