import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupOf, programConfig } from '../../test/support/supervisor-harness.js';
import { StartPlan } from './start-plan.js';

const plan = (base: string[], edges: Record<string, string[]>): StartPlan => new StartPlan(base, new Map(Object.entries(edges)));

describe('StartPlan', () => {
  it('without dependencies keeps the priority order exactly, and stops in reverse', () => {
    const p = plan(['a', 'b', 'c'], {});
    expect(p.hasDependencies).toBe(false);
    expect(p.startOrder()).toEqual(['a', 'b', 'c']);
    expect(p.stopOrder()).toEqual(['c', 'b', 'a']);
  });

  it('puts a chain A <- B <- C in dependency order, whatever the priorities', () => {
    const p = plan(['c', 'b', 'a'], { c: ['b'], b: ['a'] });
    expect(p.startOrder()).toEqual(['a', 'b', 'c']);
    expect(p.stopOrder()).toEqual(['c', 'b', 'a']);
    expect(p.dependencies('c')).toEqual(['b']);
    expect(p.transitiveDependencies('c')).toEqual(['a', 'b']);
    expect(p.transitiveDependents('a')).toEqual(['c', 'b']);
    expect(p.dependents('a')).toEqual(['b']);
  });

  it('lets priority break ties among what is free to start, and keeps independent branches independent', () => {
    // Two branches: r1 <- x1, r2 <- x2; in priority order x1, r2, x2, r1.
    const p = plan(['x1', 'r2', 'x2', 'r1'], { x1: ['r1'], x2: ['r2'] });
    expect(p.startOrder()).toEqual(['r2', 'x2', 'r1', 'x1']);
    // The second branch's root needs nothing, so it is spawned without waiting for the first branch.
    expect(p.dependencies('r2')).toEqual([]);
    expect(p.transitiveDependencies('x2')).toEqual(['r2']);
    expect(p.startOrder(['x1', 'r1'])).toEqual(['r1', 'x1']);
  });

  it('orders a diamond and subsets of it', () => {
    const p = plan(['nginx', 'app1', 'app2', 'redis'], { nginx: ['app1', 'app2'], app1: ['redis'], app2: ['redis'] });
    expect(p.startOrder()).toEqual(['redis', 'app1', 'app2', 'nginx']);
    expect(p.transitiveDependencies('nginx')).toEqual(['redis', 'app1', 'app2']);
    expect(p.stopOrder(['redis', 'nginx'])).toEqual(['nginx', 'redis']);
  });

  it('ignores dependencies on processes it does not hold (a group removed at run time)', () => {
    const p = plan(['a', 'b'], { b: ['a', 'gone'] });
    expect(p.dependencies('b')).toEqual(['a']);
  });

  it('breaks a cycle instead of waiting for ever, keeping only edges that point backwards', () => {
    const p = plan(['a', 'b', 'c'], { a: ['b'], b: ['a'], c: ['a'] });
    expect(p.startOrder()).toEqual(['a', 'b', 'c']);
    expect(p.dependencies('a')).toEqual([]);
    expect(p.dependencies('b')).toEqual(['a']);
  });

  it('resolves program names, group:name and group:* from the groups', () => {
    const procs = (names: string[], extra = {}) => names.map((name) => programConfig({ name, command: '/bin/cat', ...extra }));
    const web = groupOf([
      programConfig({ name: 'app', command: '/bin/cat', dependsOn: ['db'] }),
      programConfig({ name: 'static', command: '/bin/cat', programName: 'static', dependsOn: ['web:app'] }),
    ], 'web');
    const db = groupOf(procs(['db_0', 'db_1'], { programName: 'db' }), 'db');
    const proxy = groupOf(procs(['proxy'], { dependsOn: ['web:*'] }), 'proxy');
    const p = StartPlan.forGroups([proxy, web, db]);
    expect(p.startOrder()).toEqual(['db:db_0', 'db:db_1', 'web:app', 'web:static', 'proxy']);
    expect(p.dependencies('web:app')).toEqual(['db:db_0', 'db:db_1']);
    expect(p.dependencies('proxy')).toEqual(['web:app', 'web:static']);
  });

  it('always places every process once, after everything it keeps as a dependency (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(
      fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 30 }),
    )), ([n, pairs]) => {
      const base = Array.from({ length: n }, (_, i) => `p${i}`);
      const edges: Record<string, string[]> = {};
      for (const [from, to] of pairs) if (from !== to) (edges[`p${from}`] ??= []).push(`p${to}`);
      const p = plan(base, edges);
      const order = p.startOrder();
      expect([...order].sort()).toEqual([...base].sort());
      for (const name of base) for (const dep of p.dependencies(name)) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(name));
      expect(p.stopOrder()).toEqual([...order].reverse());
      // Edges only towards lower numbers cannot form a cycle: then none is dropped.
      const acyclic: Record<string, string[]> = {};
      for (const [from, to] of pairs) if (from > to) (acyclic[`p${from}`] ??= []).push(`p${to}`);
      const q = plan(base, acyclic);
      for (const name of base) expect(q.dependencies(name)).toEqual([...new Set(acyclic[name] ?? [])]);
    }));
  });
});
