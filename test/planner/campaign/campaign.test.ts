/**
 * Campaign planning on hand-made cells: feasible cells, a group with a member on every host, a
 * cell too full to lose a host, a pinned VM, two cells at maxUnavailable 2, hosts outside the
 * campaign as destinations. Every campaign is verified step by step by the verifier.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseInventory,
  planMaintenance,
  plan,
  verifyPlan,
  verifyCampaign,
  type CampaignPlan,
  type CampaignRequest,
  type Inventory,
} from '../../../planner/index.js';
import { host, inventory, vm } from '../support/tiny.js';

function planned(inv: Inventory, request: CampaignRequest): CampaignPlan {
  const p = planMaintenance(inv, request);
  expect(verifyCampaign(inv, p).violations).toEqual([]);
  return p;
}

/** Steps in which each instance moves. */
function stepsPerInstance(p: CampaignPlan): Map<string, number[]> {
  const out = new Map<string, number[]>();
  p.steps.forEach((s, k) => {
    for (const m of s.moves) {
      const list = out.get(m.instance) ?? [];
      if (!list.includes(k)) list.push(k);
      out.set(m.instance, list);
    }
  });
  return out;
}

const fixture = (() => {
  const path = resolve(import.meta.dirname, '../../fixtures/scenarios/campaign-cell-6.json');
  const parsed = parseInventory(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.ok) throw new Error('campaign-cell-6 does not parse');
  return parsed.inventory;
})();

describe('campaign: the six-host cell fixture', () => {
  it.each([1, 2])('maxUnavailable %i: feasible in ceil(6 / N) steps, only the first step moves twice', (n) => {
    const p = planned(fixture, { cells: ['cell1'], maxUnavailable: n });
    expect(p.feasible).toBe(true);
    expect(p.steps).toHaveLength(Math.ceil(6 / n));
    expect(p.steps.every((s) => s.hosts.length === n)).toBe(true);
    expect(p.target).toEqual({ hosts: ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'], maxUnavailable: n, cells: ['cell1'] });
    // Everything the first step moves has to land on an unpatched host and move again; nothing else does.
    const first = new Set(p.steps[0].moves.map((m) => m.instance));
    for (const [id, steps] of stepsPerInstance(p)) {
      expect(steps.length).toBeLessThanOrEqual(2);
      if (steps.length === 2) expect(first.has(id)).toBe(true);
    }
    expect(p.metrics.gibToCopy).toBeCloseTo(p.metrics.lowerBoundGib + p.steps[0].gibToCopy, 6);
    expect(p.metrics.instancesMovedTwiceOrMore).toBe(first.size);
  });

  it('maxUnavailable 3 is too many: three hosts cannot hold 204 GiB, the steps say NO_CAPACITY', () => {
    const p = planned(fixture, { cells: ['cell1'], maxUnavailable: 3 });
    expect(p.feasible).toBe(false);
    expect(p.steps).toHaveLength(2);
    expect(p.unplaced.length).toBeGreaterThan(0);
    expect(p.unplaced.every((u) => u.code === 'NO_CAPACITY')).toBe(true);
  });

  it('starts where the least has to move', () => {
    const p = planned(fixture, { cells: ['cell1'], maxUnavailable: 1 });
    const gibOn = (h: string) =>
      fixture.instances.filter((i) => i.host === h).reduce((g, i) => g + i.memoryMb / 1024, 0);
    const least = Math.min(...fixture.hosts.map((h) => gibOn(h.name)));
    expect(gibOn(p.steps[0].hosts[0])).toBe(least);
    expect(p.steps[0].gibToCopy).toBe(least);
  });

  it('keeps anti-affinity: the web group never shares a host during the campaign', () => {
    const p = planned(fixture, { cells: ['cell1'], maxUnavailable: 2 });
    const where = new Map(fixture.instances.map((i) => [i.id, i.host]));
    for (const s of p.steps) {
      for (const m of s.moves) where.set(m.instance, m.to);
      const web = ['web1', 'web2', 'web3'].map((w) => where.get(w));
      expect(new Set(web).size).toBe(3);
    }
  });
});

describe('campaign: infeasible steps say which and why, the rest is planned', () => {
  it('an anti-affinity group with a member on every host: each step leaves its member, SERVER_GROUP', () => {
    const hosts = ['a', 'b', 'c'].map((n) => host(n));
    const inv = inventory(
      hosts,
      [
        vm('g1', 'a', { serverGroup: 'g' }),
        vm('g2', 'b', { serverGroup: 'g' }),
        vm('g3', 'c', { serverGroup: 'g' }),
      ].concat([vm('x1', 'a'), vm('x2', 'b'), vm('x3', 'c')]),
      [{ id: 'g', policy: 'anti-affinity' }],
    );
    const p = planned(inv, { cells: ['cell1'] });
    expect(p.feasible).toBe(false);
    expect(p.steps).toHaveLength(3);
    for (const s of p.steps) {
      expect(s.unplaced.map((u) => u.code)).toEqual(['SERVER_GROUP']);
      expect(s.unplaced[0].reason).toMatch(/anti-affinity group g/);
    }
    // The other instances all end off the host of their step.
    expect(p.steps[0].moves.map((m) => m.instance)).toContain(`x${'abc'.indexOf(p.steps[0].hosts[0]) + 1}`);
    expect(p.unplaced.map((u) => u.instance).sort()).toEqual(['g1', 'g2', 'g3']);
  });

  it('a cell too full to lose a host: NO_CAPACITY naming the closest host', () => {
    const hosts = ['a', 'b', 'c'].map((n) => host(n, { memoryMb: 16384 }));
    const inv = inventory(
      hosts,
      ['a', 'b', 'c'].flatMap((h) => [vm(`${h}1`, h, { memoryMb: 6144 }), vm(`${h}2`, h, { memoryMb: 6144 })]),
    );
    const p = planned(inv, { cells: ['cell1'] });
    expect(p.feasible).toBe(false);
    expect(p.steps).toHaveLength(3);
    for (const s of p.steps) expect(s.unplaced.length).toBeGreaterThan(0);
    expect(new Set(p.unplaced.map((u) => u.code))).toEqual(new Set(['NO_CAPACITY']));
    expect(p.unplaced[0].reason).toMatch(/lacks \d+ MB memory/);
  });

  it('a pinned VM stays on its host (PINNED), every other instance is moved', () => {
    const hosts = ['a', 'b', 'c', 'd'].map((n) => host(n));
    const inv = inventory(hosts, [
      vm('p', 'b', { pinned: true }),
      vm('b1', 'b'),
      vm('a1', 'a'),
      vm('c1', 'c'),
      vm('d1', 'd'),
    ]);
    const p = planned(inv, { cells: ['cell1'] });
    expect(p.feasible).toBe(false);
    expect(p.unplaced.map((u) => [u.instance, u.code])).toEqual([['p', 'PINNED']]);
    const bStep = p.steps.find((s) => s.hosts.includes('b'))!;
    expect(bStep.unplaced.map((u) => u.instance)).toEqual(['p']);
    expect(bStep.moves.map((m) => m.instance)).toEqual(['b1']);
    expect(p.metrics.lowerBoundGib).toBe(16);
  });
});

describe('campaign: fragmentation', () => {
  it('a step blocked by fragmentation makes room as a last resort (a 6 GiB VM moves first)', () => {
    const hosts = ['A', 'B', 'C', 'D'].map((n) => host(n, { memoryMb: 16384 }));
    const inv = inventory(hosts, [
      vm('big', 'A', { memoryMb: 12288 }),
      vm('b6', 'B', { memoryMb: 6144 }),
      vm('c6', 'C', { memoryMb: 6144 }),
      vm('d6', 'D', { memoryMb: 6144 }),
    ]);
    const p = planned(inv, { hosts: ['A'] });
    expect(p.feasible).toBe(true);
    const moves = p.steps[0].moves;
    expect(moves.find((m) => m.instance === 'big')?.from).toBe('A');
    expect(moves.some((m) => m.from !== 'A')).toBe(true);
  });
});

describe('campaign: several cells, named hosts', () => {
  const twoCells = inventory(
    ['x0', 'x1', 'x2', 'x3', 'y0', 'y1', 'y2', 'y3'].map((n) => host(n, { cell: n[0] === 'x' ? 'cx' : 'cy' })),
    ['x0', 'x1', 'x2', 'x3', 'y0', 'y1', 'y2', 'y3'].flatMap((h, k) => [
      vm(`${h}a`, h, { memoryMb: 2048 + 1024 * (k % 4) }),
      vm(`${h}b`, h, { memoryMb: 2048 }),
    ]),
  );

  it('two cells at maxUnavailable 2: two steps, each with two hosts of each cell, no move crosses a cell', () => {
    const p = planned(twoCells, { cells: ['cx', 'cy'], maxUnavailable: 2 });
    expect(p.feasible).toBe(true);
    expect(p.steps).toHaveLength(2);
    for (const s of p.steps) {
      expect(s.hosts.filter((h) => h.startsWith('x'))).toHaveLength(2);
      expect(s.hosts.filter((h) => h.startsWith('y'))).toHaveLength(2);
      for (const m of s.moves) expect(m.to[0]).toBe(m.from[0]);
    }
  });

  it('named hosts drain onto hosts outside the campaign first: nothing moves twice', () => {
    const p = planned(twoCells, { hosts: ['x0', 'x1', 'y2'] });
    expect(p.feasible).toBe(true);
    expect(p.steps).toHaveLength(2);
    expect(p.metrics.instancesMovedTwiceOrMore).toBe(0);
    expect(p.metrics.gibToCopy).toBe(p.metrics.lowerBoundGib);
    // Nothing lands on a host whose step is still to come.
    p.steps.forEach((s, k) => {
      const later = p.steps.slice(k + 1).flatMap((t) => t.hosts);
      for (const m of s.moves) expect(later).not.toContain(m.to);
    });
  });

  it('an empty cell request plans nothing and is feasible', () => {
    const inv = inventory([host('a', { enabled: false })], []);
    const p = planned(inv, { cells: ['other'] });
    expect(p).toMatchObject({ feasible: true, steps: [], unplaced: [] });
  });
});

describe('one step planned from a fresh inventory', () => {
  it('is a verified drain of its hosts that keeps off later hosts while others have room', () => {
    const campaign = planned(fixture, { cells: ['cell1'], maxUnavailable: 1 });
    const [first, second] = campaign.steps;
    // The state after step 1, as a fresh inventory would show it.
    const where = new Map(first.moves.map((m) => [m.instance, m.to]));
    const after = { ...fixture, instances: fixture.instances.map((i) => ({ ...i, host: where.get(i.id) ?? i.host })) };
    const later = campaign.steps.slice(2).flatMap((s) => s.hosts);
    const p = plan(after, { goal: 'drain', hosts: second.hosts, later });
    expect(verifyPlan(after, p).violations).toEqual([]);
    expect(p).toMatchObject({ goal: 'drain', target: { hosts: second.hosts }, feasible: true });
    for (const m of p.moves) expect([...later, ...second.hosts]).not.toContain(m.to);
    expect(p.metrics.gibToCopy).toBe(second.gibToCopy);
  });

  it('uses later hosts when nothing else has room, and says so in the method', () => {
    const inv = inventory(
      ['a', 'b', 'c'].map((n) => host(n)),
      [vm('a1', 'a', { memoryMb: 12288 }), vm('b1', 'b', { memoryMb: 8192 }), vm('c1', 'c', { memoryMb: 2048 })],
    );
    const p = plan(inv, { goal: 'drain', hosts: ['c'], later: ['b'] });
    expect(p.moves.map((m) => [m.instance, m.to])).toEqual([['c1', 'a']]);
    const q = plan(inv, { goal: 'drain', hosts: ['b'], later: ['c'] });
    expect(q.moves.map((m) => [m.instance, m.to])).toEqual([['b1', 'c']]);
    expect(q.feasible).toBe(true);
  });
});
