/**
 * One case per verifier rule: a tiny inventory, a hand-written plan that breaks exactly that
 * rule (rejected with the rule's code) and its corrected twin (accepted).
 */
import { describe, expect, it } from 'vitest';
import { verifyPlan } from '../../planner/verify/verify.js';
import type { Inventory } from '../../planner/model/inventory.js';
import type { Plan } from '../../planner/model/plan.js';
import type { PlannerOptions } from '../../planner/model/options.js';
import { balancePlan, drainPlan, host, inventory, move, vm } from './support/tiny.js';

interface Case {
  code: string;
  inv: Inventory;
  bad: Plan;
  good: Plan;
  options?: PlannerOptions;
}

const a = vm('a', 'h1');
const three = () => [host('h1'), host('h2'), host('h3')];
const basic = (instances = [a]) => inventory(three(), instances);
const ok = drainPlan(['h1'], [move(a, 'h1', 'h2')]);

const big1 = vm('big1', 'h1', { memoryMb: 10240 });
const big2 = vm('big2', 'h2', { memoryMb: 10240 });
const disk = vm('disk', 'h1', { storage: 'local', diskGb: 60, memoryMb: 1024 });
const diskFull = vm('diskFull', 'h2', { storage: 'local', diskGb: 50, memoryMb: 1024 });
const s1 = vm('s1', 'h1', { serverGroup: 'anti' });
const s2 = vm('s2', 'h2', { serverGroup: 'anti' });
const f1 = vm('f1', 'h1', { serverGroup: 'aff' });
const f2 = vm('f2', 'h1', { serverGroup: 'aff' });
const groups = [
  { id: 'anti', policy: 'anti-affinity' as const },
  { id: 'aff', policy: 'affinity' as const },
];
const pinned = vm('p', 'h1', { pinned: true });
const ro = vm('ro', 'h1', { storage: 'local', configDrive: true });
const off = vm('off', 'h1', { status: 'SHUTOFF' });
const custom = vm('c', 'h1', { cpuMode: 'custom', cpuModel: 'Haswell' });

const cases: Record<string, Case> = {
  'capacity: memory of arrivals in one wave': {
    code: 'CAPACITY',
    inv: inventory(
      [host('h1'), host('h2'), host('h3'), host('h4', { memoryMb: 30000 })],
      [big1, big2, vm('x', 'h3', { memoryMb: 4096 })],
    ),
    // Both arrive at h3 in wave 0: 4096 + 2 x 10240 > 16384; one alone fits.
    bad: balancePlan(['cell1'], [move(big1, 'h1', 'h3'), move(big2, 'h2', 'h3', 0)]),
    good: balancePlan(['cell1'], [move(big1, 'h1', 'h3'), move(big2, 'h2', 'h4', 0)]),
  },
  'capacity: source not released until the wave ends (swap needs a third host)': {
    code: 'CAPACITY',
    inv: inventory([host('h1', { memoryMb: 12000 }), host('h2', { memoryMb: 12000 }), host('h3')], [big1, big2]),
    bad: balancePlan(['cell1'], [move(big1, 'h1', 'h2'), move(big2, 'h2', 'h1')]),
    good: balancePlan(['cell1'], [move(big1, 'h1', 'h3', 0), move(big2, 'h2', 'h1', 1), move(big1, 'h3', 'h2', 2)]),
  },
  'capacity: vCPU with allocation ratio and reserved': {
    code: 'CAPACITY',
    inv: inventory(
      [host('h1'), host('h2', { vcpus: 4, reservedVcpus: 2, cpuAllocationRatio: 1.5 }), host('h3')],
      [vm('v', 'h1', { vcpus: 4 })],
    ),
    // h2 offers (4 - 2) x 1.5 = 3 vCPUs.
    bad: drainPlan(['h1'], [move(vm('v', 'h1', { vcpus: 4 }), 'h1', 'h2')]),
    good: drainPlan(['h1'], [move(vm('v', 'h1', { vcpus: 4 }), 'h1', 'h3')]),
  },
  'capacity: local disk counts only for local storage': {
    code: 'CAPACITY',
    inv: inventory(three(), [disk, diskFull]),
    bad: drainPlan(['h1'], [move(disk, 'h1', 'h2')]),
    good: drainPlan(['h1'], [move(disk, 'h1', 'h3')]),
  },
  'capacity: an over-capacity host receives nothing of that resource': {
    code: 'CAPACITY',
    inv: inventory(three(), [
      vm('o1', 'h2', { memoryMb: 12000 }),
      vm('o2', 'h2', { memoryMb: 8000 }),
      vm('m', 'h1', { memoryMb: 1024 }),
    ]),
    bad: balancePlan(
      ['cell1'],
      [move(vm('o2', 'h2', { memoryMb: 8000 }), 'h2', 'h3'), move(vm('m', 'h1', { memoryMb: 1024 }), 'h1', 'h2')],
    ),
    good: balancePlan(
      ['cell1'],
      [move(vm('o2', 'h2', { memoryMb: 8000 }), 'h2', 'h3', 0), move(vm('m', 'h1', { memoryMb: 1024 }), 'h1', 'h2', 1)],
    ),
  },
  'cell: never across cells': {
    code: 'CELL',
    inv: inventory([host('h1'), host('h2', { cell: 'cell2' }), host('h3')], [a]),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h2')]),
    good: drainPlan(['h1'], [move(a, 'h1', 'h3')]),
  },
  'target disabled': {
    code: 'TARGET_DISABLED',
    inv: inventory([host('h1'), host('h2', { enabled: false }), host('h3')], [a]),
    bad: ok,
    good: drainPlan(['h1'], [move(a, 'h1', 'h3')]),
  },
  'target down': {
    code: 'TARGET_DOWN',
    inv: inventory([host('h1'), host('h2', { state: 'down' }), host('h3')], [a]),
    bad: ok,
    good: drainPlan(['h1'], [move(a, 'h1', 'h3')]),
  },
  'target drained': {
    code: 'TARGET_DRAINED',
    inv: basic([a, vm('b', 'h2')]),
    bad: drainPlan(['h1', 'h2'], [move(a, 'h1', 'h2'), move(vm('b', 'h2'), 'h2', 'h3')]),
    good: drainPlan(['h1', 'h2'], [move(a, 'h1', 'h3'), move(vm('b', 'h2'), 'h2', 'h3')]),
  },
  'target avoided': {
    code: 'TARGET_AVOIDED',
    inv: basic(),
    bad: ok,
    good: drainPlan(['h1'], [move(a, 'h1', 'h3')]),
    options: { avoidHosts: ['h2'] },
  },
  'target excluded for the instance': {
    code: 'EXCLUDED',
    inv: basic(),
    bad: ok,
    good: drainPlan(['h1'], [move(a, 'h1', 'h3')]),
    options: { exclusions: [{ host: 'h2', instance: 'a' }] },
  },
  'target excluded entirely': {
    code: 'EXCLUDED',
    inv: basic(),
    bad: ok,
    good: drainPlan(['h1'], [move(a, 'h1', 'h3')]),
    options: { exclusions: [{ host: 'h2' }] },
  },
  'same host': {
    code: 'SAME_HOST',
    inv: basic(),
    bad: balancePlan(['cell1'], [move(a, 'h1', 'h1')]),
    good: balancePlan(['cell1'], [move(a, 'h1', 'h2')]),
  },
  'hypervisor type': {
    code: 'HYPERVISOR_TYPE',
    inv: inventory([host('h1'), host('h2', { hypervisorType: 'Xen' }), host('h3')], [a]),
    bad: ok,
    good: drainPlan(['h1'], [move(a, 'h1', 'h3')]),
  },
  'hypervisor version': {
    code: 'HYPERVISOR_VERSION',
    inv: inventory(
      [host('h1'), host('h2', { hypervisorVersion: 6000000 }), host('h3', { hypervisorVersion: 8000000 })],
      [a],
    ),
    bad: ok,
    good: drainPlan(['h1'], [move(a, 'h1', 'h3')]),
  },
  'cpu: host-model needs the source model': {
    code: 'CPU',
    inv: inventory(
      [
        host('h1'),
        host('h2', { cpuModel: 'Icelake', compatibleCpuModels: ['Icelake'] }),
        host('h3', { cpuModel: 'Icelake', compatibleCpuModels: ['Icelake', 'Skylake'] }),
      ],
      [a],
    ),
    bad: ok,
    good: drainPlan(['h1'], [move(a, 'h1', 'h3')]),
  },
  'cpu: custom needs its own model': {
    code: 'CPU',
    inv: inventory(
      [
        host('h1', { compatibleCpuModels: ['Skylake', 'Haswell'] }),
        host('h2'),
        host('h3', { compatibleCpuModels: ['Skylake', 'Haswell'] }),
      ],
      [custom],
    ),
    bad: drainPlan(['h1'], [move(custom, 'h1', 'h2')]),
    good: drainPlan(['h1'], [move(custom, 'h1', 'h3')]),
  },
  'anti-affinity: a member present on the destination': {
    code: 'ANTI_AFFINITY',
    inv: inventory(three(), [s1, s2], groups),
    bad: drainPlan(['h1'], [move(s1, 'h1', 'h2')]),
    good: drainPlan(['h1'], [move(s1, 'h1', 'h3')]),
  },
  'anti-affinity: a member still in flight away from the destination': {
    code: 'ANTI_AFFINITY',
    inv: inventory(three(), [s1, s2], groups),
    bad: balancePlan(['cell1'], [move(s2, 'h2', 'h3'), move(s1, 'h1', 'h2')]),
    good: balancePlan(['cell1'], [move(s2, 'h2', 'h3', 0), move(s1, 'h1', 'h2', 1)]),
  },
  'anti-affinity: two members arriving together': {
    code: 'ANTI_AFFINITY',
    inv: inventory(
      [host('h1'), host('h2'), host('h3'), host('h4')],
      [s1, vm('s3', 'h2', { serverGroup: 'anti' })],
      groups,
    ),
    bad: drainPlan(['h1', 'h2'], [move(s1, 'h1', 'h3'), move(vm('s3', 'h2', { serverGroup: 'anti' }), 'h2', 'h3')]),
    good: drainPlan(['h1', 'h2'], [move(s1, 'h1', 'h3'), move(vm('s3', 'h2', { serverGroup: 'anti' }), 'h2', 'h4')]),
  },
  'affinity: members end on one host': {
    code: 'AFFINITY',
    inv: inventory(three(), [f1, f2], groups),
    bad: drainPlan(['h1'], [move(f1, 'h1', 'h2'), move(f2, 'h1', 'h3')]),
    good: drainPlan(['h1'], [move(f1, 'h1', 'h2'), move(f2, 'h1', 'h2')]),
  },
  'mode: shared storage moves live': {
    code: 'MODE',
    inv: basic(),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h2', 0, { mode: 'cold' })]),
    good: ok,
  },
  'mode: local storage moves block': {
    code: 'MODE',
    inv: basic([vm('l', 'h1', { storage: 'local' })]),
    bad: drainPlan(
      ['h1'],
      [move(vm('l', 'h1', { storage: 'local' }), 'h1', 'h2', 0, { mode: 'live', gib: 4, timeoutSeconds: 3200 })],
    ),
    good: drainPlan(['h1'], [move(vm('l', 'h1', { storage: 'local' }), 'h1', 'h2')]),
  },
  'mode: SHUTOFF moves cold': {
    code: 'MODE',
    inv: basic([off]),
    bad: drainPlan(['h1'], [move(off, 'h1', 'h2', 0, { mode: 'live' })]),
    good: drainPlan(['h1'], [move(off, 'h1', 'h2')]),
  },
  'read-only device on local storage cannot move': {
    code: 'READONLY_DEVICE',
    inv: basic([ro]),
    bad: drainPlan(['h1'], [move(ro, 'h1', 'h2')]),
    good: drainPlan(['h1'], [], {
      feasible: false,
      unplaced: [{ instance: 'ro', name: 'ro', host: 'h1', code: 'READONLY_DEVICE', reason: 'config drive' }],
    }),
  },
  'pinned never moves': {
    code: 'PINNED',
    inv: basic([pinned]),
    bad: drainPlan(['h1'], [move(pinned, 'h1', 'h2')]),
    good: drainPlan(['h1'], [], {
      feasible: false,
      unplaced: [{ instance: 'p', name: 'p', host: 'h1', code: 'PINNED', reason: 'pinned' }],
    }),
  },
  'timeout: per-GiB budget with a 2 GiB floor': {
    code: 'TIMEOUT',
    inv: basic([vm('small', 'h1', { memoryMb: 512 })]),
    bad: drainPlan(['h1'], [move(vm('small', 'h1', { memoryMb: 512 }), 'h1', 'h2', 0, { timeoutSeconds: 400 })]),
    good: drainPlan(['h1'], [move(vm('small', 'h1', { memoryMb: 512 }), 'h1', 'h2', 0, { timeoutSeconds: 1600 })]),
  },
  'timeout: configured per-GiB figure': {
    code: 'TIMEOUT',
    inv: basic(),
    options: { timeoutPerGiBSeconds: 100 },
    bad: ok,
    good: drainPlan(['h1'], [move(a, 'h1', 'h2', 0, { timeoutSeconds: 400 })]),
  },
  'gib: memory plus disk for block': {
    code: 'GIB',
    inv: basic([disk]),
    bad: drainPlan(['h1'], [move(disk, 'h1', 'h3', 0, { gib: 1 })]),
    good: drainPlan(['h1'], [move(disk, 'h1', 'h3')]),
  },
  'estimate is a finite number of seconds': {
    code: 'ESTIMATE',
    inv: basic(),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h2', 0, { estimatedSeconds: Number.NaN })]),
    good: ok,
  },
  'unplaced lists an instance once': {
    code: 'UNPLACED_DUPLICATE',
    inv: basic([pinned]),
    bad: drainPlan(['h1'], [], {
      feasible: false,
      unplaced: [
        { instance: 'p', name: 'p', host: 'h1', code: 'PINNED', reason: 'pinned' },
        { instance: 'p', name: 'p', host: 'h1', code: 'PINNED', reason: 'pinned' },
      ],
    }),
    good: drainPlan(['h1'], [], {
      feasible: false,
      unplaced: [{ instance: 'p', name: 'p', host: 'h1', code: 'PINNED', reason: 'pinned' }],
    }),
  },
  'wave numbers start at 0': {
    code: 'WAVE_GAP',
    inv: basic(),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h2', 1)]),
    good: ok,
  },
  'wave numbers are integers': {
    code: 'WAVE_NUMBER',
    inv: basic(),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h2', 0.5)], {
      feasible: false,
      unplaced: [{ instance: 'a', name: 'a', host: 'h1', code: 'NO_CAPACITY', reason: 'x' }],
    }),
    good: ok,
  },
  'one move per instance per wave': {
    code: 'DUPLICATE_IN_WAVE',
    inv: basic(),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h2'), move(a, 'h2', 'h3')]),
    good: drainPlan(['h1'], [move(a, 'h1', 'h2', 0), move(a, 'h2', 'h3', 1)]),
  },
  'from is where the instance is after earlier waves': {
    code: 'FROM_MISMATCH',
    inv: basic(),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h2', 0), move(a, 'h1', 'h3', 1)]),
    good: drainPlan(['h1'], [move(a, 'h1', 'h2', 0), move(a, 'h2', 'h3', 1)]),
  },
  'unknown instance': {
    code: 'UNKNOWN_INSTANCE',
    inv: basic(),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h2'), move(vm('ghost', 'h1'), 'h1', 'h3')]),
    good: ok,
  },
  'unknown destination': {
    code: 'UNKNOWN_HOST',
    inv: basic(),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h9')], { feasible: false, unplaced: [] }),
    good: ok,
  },
  'drain: feasible flag agrees with the moves': {
    code: 'FEASIBLE_FLAG',
    inv: basic([a, pinned]),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h2')], {
      unplaced: [{ instance: 'p', name: 'p', host: 'h1', code: 'PINNED', reason: 'pinned' }],
    }),
    good: drainPlan(['h1'], [move(a, 'h1', 'h2')], {
      feasible: false,
      unplaced: [{ instance: 'p', name: 'p', host: 'h1', code: 'PINNED', reason: 'pinned' }],
    }),
  },
  'drain: an instance left behind is listed in unplaced': {
    code: 'DRAIN_UNLISTED',
    inv: basic([a, pinned]),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h2')], { feasible: false }),
    good: drainPlan(['h1'], [move(a, 'h1', 'h2')], {
      feasible: false,
      unplaced: [{ instance: 'p', name: 'p', host: 'h1', code: 'PINNED', reason: 'pinned' }],
    }),
  },
  'drain: no instance both moved and unplaced': {
    code: 'UNPLACED_BUT_MOVED',
    inv: basic(),
    bad: drainPlan(['h1'], [move(a, 'h1', 'h2')], {
      unplaced: [{ instance: 'a', name: 'a', host: 'h1', code: 'NO_CAPACITY', reason: 'x' }],
    }),
    good: ok,
  },
  'balance stays inside its target cells': {
    code: 'OUTSIDE_TARGET',
    inv: inventory(
      [host('h1'), host('h2'), host('h3', { cell: 'cell2' }), host('h4', { cell: 'cell2' })],
      [a, vm('z', 'h3')],
    ),
    bad: balancePlan(['cell1'], [move(vm('z', 'h3'), 'h3', 'h4')]),
    good: balancePlan(['cell1'], [move(a, 'h1', 'h2')]),
  },
  'metrics count the moves': {
    code: 'METRICS_MOVES',
    inv: basic(),
    bad: { ...ok, metrics: { ...ok.metrics, moves: 0 } },
    good: ok,
  },
};

describe('verifyPlan rules', () => {
  it.each(Object.entries(cases))('%s', (_name, c) => {
    const bad = verifyPlan(c.inv, c.bad, c.options);
    expect(bad.ok).toBe(false);
    expect(bad.violations.map((v) => v.code)).toContain(c.code);
    const good = verifyPlan(c.inv, c.good, c.options);
    expect(good.violations).toEqual([]);
    expect(good.ok).toBe(true);
  });
});

describe('violation details', () => {
  it('names wave, host, instance and the numbers for a capacity breach', () => {
    const c = cases['capacity: memory of arrivals in one wave'];
    const v = verifyPlan(c.inv, c.bad).violations.find((x) => x.code === 'CAPACITY')!;
    expect(v).toMatchObject({ wave: 0, host: 'h3', instance: 'big2' });
    expect(v.message).toBe(
      'h3 memory in wave 0: 4096 + 20480 arriving (big1, big2) = 24576 > capacity 16384 MiB (4096 in use)',
    );
  });

  it('reports only the rule that is broken', () => {
    const c = cases['cell: never across cells'];
    expect(verifyPlan(c.inv, c.bad).violations.map((v) => v.code)).toEqual(['CELL']);
  });

  it('accepts an empty balance plan and an empty drain of an empty host', () => {
    expect(verifyPlan(basic(), balancePlan(['cell1'], [])).ok).toBe(true);
    expect(verifyPlan(basic(), drainPlan(['h3'], [])).ok).toBe(true);
  });
});
