/**
 * Drains that make room (spec: "Drains that make room"): when fragmentation is all that blocks a
 * drain, other instances of the cell move first, in an earlier wave, as few GiB as possible.
 * Every plan here comes from `plan`, which runs the independent verifier, and is re-verified.
 */
import { describe, expect, it } from 'vitest';
import { plan, verifyPlan, type Instance, type Inventory, type Plan } from '../../planner/index.js';
import { host, inventory, scenario, vm } from './constraints-helpers.js';

const GIB = 1024;
const h16 = (name: string) => host(name, { memoryMb: 16 * GIB, vcpus: 16 });
const v = (name: string, on: string, gib: number, over: Partial<Instance> = {}) =>
  vm(name, on, { memoryMb: gib * GIB, vcpus: 1, ...over });
const anti = [{ id: 'G', policy: 'anti-affinity' as const }];

interface Case {
  name: string;
  inv: Inventory;
  drain: string[];
  request?: { frozenInstances?: string[]; makeRoom?: boolean };
  feasible: boolean;
  /** Instances moved to make room (not on a drained host), in any order. */
  madeRoomBy: string[];
  extraGib: number;
  /** Where drained instances end, when it is forced. */
  ends?: Record<string, string>;
}

const cases: Case[] = [
  {
    name: 'one move: the 6 GiB VM of one host leaves so the 12 GiB VM fits (fixture makeroom-fragmented)',
    inv: scenario('makeroom-fragmented'),
    drain: ['A'],
    feasible: true,
    madeRoomBy: ['b1'],
    extraGib: 6,
    ends: { x: 'B' },
  },
  {
    name: 'several moves: two 4 GiB VMs leave one host for a 14 GiB VM',
    inv: inventory(['A', 'B', 'C', 'D'].map(h16), [
      v('x', 'A', 14),
      ...['B', 'C', 'D'].flatMap((h) => [1, 2].map((k) => v(`${h.toLowerCase()}${k}`, h, 4))),
    ]),
    drain: ['A'],
    feasible: true,
    madeRoomBy: ['b1', 'b2'],
    extraGib: 8,
    ends: { x: 'B' },
  },
  {
    name: 'fewest GiB: two 2 GiB VMs move rather than one 8 GiB VM',
    inv: inventory(['A', 'B', 'C', 'D'].map(h16), [
      v('x', 'A', 12),
      v('b', 'B', 8),
      ...[1, 2, 3, 4].map((k) => v(`c${k}`, 'C', 2)),
      v('d', 'D', 8),
    ]),
    drain: ['A'],
    feasible: true,
    madeRoomBy: ['c1', 'c2'],
    extraGib: 4,
    ends: { x: 'C' },
  },
  {
    name: 'anti-affinity: members of G cannot make room (every other host has one), the plain VM does',
    inv: inventory(
      ['A', 'B', 'C', 'D'].map(h16),
      [
        v('x', 'A', 12),
        v('b1', 'B', 6, { serverGroup: 'G' }),
        v('c1', 'C', 6, { serverGroup: 'G' }),
        v('d1', 'D', 6),
        v('d2', 'D', 2, { serverGroup: 'G' }),
      ],
      anti,
    ),
    drain: ['A'],
    feasible: true,
    madeRoomBy: ['d1'],
    extraGib: 6,
    ends: { x: 'D' },
  },
  {
    name: 'two drained hosts: each 12 GiB VM gets room made on a different host',
    inv: inventory(['A', 'B', 'C', 'D', 'E', 'F'].map(h16), [
      v('x', 'A', 12),
      v('y', 'B', 12),
      v('c1', 'C', 6),
      v('d1', 'D', 6),
      v('e1', 'E', 6),
      v('f1', 'F', 6),
    ]),
    drain: ['A', 'B'],
    feasible: true,
    madeRoomBy: ['c1', 'e1'],
    extraGib: 12,
  },
  {
    name: 'truly impossible: three 10 GiB VMs and a 12 GiB VM cannot share three 16 GiB hosts',
    inv: inventory(['A', 'B', 'C', 'D'].map(h16), [v('x', 'A', 12), v('b', 'B', 10), v('c', 'C', 10), v('d', 'D', 10)]),
    drain: ['A'],
    feasible: false,
    madeRoomBy: [],
    extraGib: 0,
  },
  {
    name: 'pinned VMs never make room',
    inv: inventory(
      ['A', 'B', 'C', 'D'].map(h16),
      ['B', 'C', 'D'].map((h) => v(`${h.toLowerCase()}1`, h, 6, { pinned: true })).concat(v('x', 'A', 12)),
    ),
    drain: ['A'],
    feasible: false,
    madeRoomBy: [],
    extraGib: 0,
  },
  {
    name: 'frozen instances never make room; the one left free does',
    inv: scenario('makeroom-fragmented'),
    drain: ['A'],
    request: { frozenInstances: ['b1', 'c1'] },
    feasible: true,
    madeRoomBy: ['d1'],
    extraGib: 6,
    ends: { x: 'D' },
  },
  {
    name: 'makeRoom: false keeps the drain to the drained host',
    inv: scenario('makeroom-fragmented'),
    drain: ['A'],
    request: { makeRoom: false },
    feasible: false,
    madeRoomBy: [],
    extraGib: 0,
  },
];

function run(c: Case): Plan {
  return plan(c.inv, { goal: 'drain', hosts: c.drain, ...c.request });
}

describe('drains that make room', () => {
  it.each(cases)('$name', (c) => {
    const p = run(c);
    expect(verifyPlan(c.inv, p).violations).toEqual([]);
    expect(p.feasible).toBe(c.feasible);
    const onDrained = (name: string) => c.drain.includes(c.inv.instances.find((i) => i.name === name)!.host);
    const extra = p.moves.filter((m) => !onDrained(m.name));
    expect(extra.map((m) => m.name).sort()).toEqual([...c.madeRoomBy].sort());
    expect(p.metrics.extraMoves).toBe(c.madeRoomBy.length);
    expect(p.metrics.extraGib).toBe(c.extraGib);
    for (const [name, to] of Object.entries(c.ends ?? {})) expect(p.moves.find((m) => m.name === name)?.to).toBe(to);
    // Room is made in earlier waves than the moves that need it.
    const firstDrainWave = Math.min(...p.moves.filter((m) => onDrained(m.name)).map((m) => m.wave));
    if (extra.length) expect(Math.max(...extra.map((m) => m.wave))).toBeLessThan(Math.max(firstDrainWave, 1));
    if (!c.feasible) {
      expect(p.unplaced.map((u) => u.code)).toContain('NO_CAPACITY');
      expect(p.moves.every((m) => onDrained(m.name))).toBe(true);
    }
  });

  it('an impossible drain says make-room was tried and keeps the closest-host sentence', () => {
    const p = run(cases.find((c) => c.name.startsWith('truly impossible'))!);
    expect(p.unplaced).toHaveLength(1);
    expect(p.unplaced[0].reason).toMatch(/closest host [BCD] lacks/);
    expect(p.unplaced[0].reason).toMatch(/moving other instances of the cell off a compatible host does not make room/);
  });

  it('a drain that needs no room reports 0 extra moves and keeps everything in wave 0', () => {
    const inv = inventory(['A', 'B', 'C'].map(h16), [v('x', 'A', 6), v('b1', 'B', 6)]);
    const p = plan(inv, { goal: 'drain', hosts: ['A'] });
    expect(p.metrics).toMatchObject({ extraMoves: 0, extraGib: 0, waves: 1 });
    expect(p.metrics.method).not.toMatch(/make-room/);
  });

  it('the verifier rejects extraMoves / extraGib that do not count the moves off non-drained hosts', () => {
    const inv = scenario('makeroom-fragmented');
    const p = plan(inv, { goal: 'drain', hosts: ['A'] });
    for (const metrics of [
      { ...p.metrics, extraMoves: 0 },
      { ...p.metrics, extraGib: 12 },
    ]) {
      const codes = verifyPlan(inv, { ...p, metrics }).violations.map((x) => x.code);
      expect(codes).toEqual(['METRICS_EXTRA']);
    }
  });

  it('the verifier rejects a make-room plan that runs the room-making move in the same wave', () => {
    const inv = scenario('makeroom-fragmented');
    const p = plan(inv, { goal: 'drain', hosts: ['A'] });
    const moves = p.moves.map((m) => ({ ...m, wave: 0 }));
    const codes = verifyPlan(inv, { ...p, moves, metrics: { ...p.metrics, waves: 1 } }).violations.map((x) => x.code);
    expect(codes).toContain('CAPACITY');
  });
});
