import { describe, it, expect } from 'vitest';
import { plan } from '../../planner/index.js';
import type { Inventory, Plan, PlannerOptions } from '../../planner/index.js';
import { host, inventory, scenario, vm } from './constraints-helpers.js';

const drain = (inv: Inventory, hosts: string[], o: PlannerOptions = {}): Plan => plan(inv, { goal: 'drain', hosts }, o);
const dest = (p: Plan, name: string) => p.moves.find((m) => m.name === name)?.to;
const codeOf = (p: Plan, name: string) => p.unplaced.find((u) => u.name === name)?.code;

describe('drain: scenarios', () => {
  it('seed example: HostB vm1 and vm2 go to HostC in wave 0 with 800 x max(2, GiB) timeouts', () => {
    const p = drain(scenario('seed-example'), ['HostB']);
    expect(p.feasible).toBe(true);
    expect(p.moves.map((m) => [m.name, m.from, m.to, m.mode, m.wave, m.timeoutSeconds])).toEqual([
      ['vm1', 'HostB', 'HostC', 'live', 0, 1600],
      ['vm2', 'HostB', 'HostC', 'live', 0, 1600],
    ]);
    expect(p.moves.every((m) => m.estimatedSeconds > 2 && m.gib === 0.5)).toBe(true);
  });

  it('tight bin packing (5,4,3,3,3,2 GiB into 10+10) is feasible where first-fit decreasing fails', () => {
    for (const method of ['heuristic', 'exact', 'auto'] as const) {
      const p = drain(scenario('tight-binpack'), ['tb-src'], { method, now: () => 0 });
      expect(p.feasible, method).toBe(true);
      expect(p.moves).toHaveLength(6);
      expect(p.metrics.objective).toBeCloseTo(1, 6);
    }
  });

  it('storage modes: pinned and read-only devices are unplaced with their codes; others move in their mode', () => {
    const p = drain(scenario('storage-modes'), ['s0']);
    expect(p.feasible).toBe(false);
    expect(p.unplaced.map((u) => u.code).sort()).toEqual(['PINNED', 'READONLY_DEVICE']);
    expect(p.unplaced.find((u) => u.code === 'READONLY_DEVICE')!.reason).toMatch(/config drive/);
    expect(Object.fromEntries(p.moves.map((m) => [m.name, m.mode]))).toEqual({
      'vm-dkr3ng': 'block',
      'vm-fvv244': 'live',
      'vm-70zucs': 'cold',
      'vm-eu3h1t': 'block',
    });
    const block = p.moves.find((m) => m.name === 'vm-dkr3ng')!;
    expect(block.gib).toBe(4 + 40); // 4 GiB memory + 40 GB local disk
    expect(block.timeoutSeconds).toBe(800 * 44);
    expect(p.moves.find((m) => m.name === 'vm-fvv244')!.gib).toBe(8); // volume-backed: memory only
  });

  it('server groups: anti-affinity member avoids hosts with members; affinity group moves together', () => {
    const inv = scenario('server-groups');
    const p = drain(inv, ['h0']);
    expect(p.feasible).toBe(true);
    expect(dest(p, 'vm-ggjqpx')).toBe('h5');
    const aff = ['vm-kukkf', 'vm-4ung4a', 'vm-85sfb0'].map((n) => dest(p, n));
    expect(new Set(aff).size).toBe(1);
  });

  it('cpu compatibility: passthrough with no host offering the model is CPU_INCOMPATIBLE', () => {
    const p = drain(scenario('cpu-compat'), ['new-a']);
    expect(p.feasible).toBe(false);
    expect(codeOf(p, 'vm-e93i1q')).toBe('CPU_INCOMPATIBLE');
    expect(p.unplaced.find((u) => u.name === 'vm-e93i1q')!.reason).toMatch(/Icelake-Server/);
  });

  it('cell boundary: never crosses cells; capacity shortfall names the closest host', () => {
    const p = drain(scenario('cell-boundary'), ['c1-h0']);
    expect(p.feasible).toBe(false);
    expect(p.moves.every((m) => m.to.startsWith('c1-'))).toBe(true);
    const u = p.unplaced[0];
    expect(u.code).toBe('NO_CAPACITY');
    expect(u.reason).toMatch(/closest host c1-h\d lacks \d+ MB memory and [\d.]+ vCPU/);
  });
});

describe('drain: rules and codes', () => {
  const two = (over = {}) => [host('a'), host('b', over)];

  it.each([
    ['NO_TARGET_IN_CELL', two({ cell: 'cell2' }), {}],
    ['NO_TARGET_IN_CELL', two({ state: 'down' }), {}],
    ['NO_TARGET_IN_CELL', two(), { avoidHosts: ['b'] }],
    ['EXCLUDED', two(), { exclusions: [{ host: 'b' }] }],
    ['EXCLUDED', two(), { exclusions: [{ host: 'b', instance: 'id-x' }] }],
    ['HYPERVISOR_INCOMPATIBLE', two({ hypervisorVersion: 1 }), {}],
    ['CPU_INCOMPATIBLE', two({ compatibleCpuModels: ['kvm64'] }), {}],
    ['NO_CAPACITY', two({ memoryMb: 1024 }), {}],
  ] as const)('%s', (code, hosts, o) => {
    const p = drain(inventory([...hosts], [vm('x', 'a')]), ['a'], o as PlannerOptions);
    expect(p.feasible).toBe(false);
    expect(p.unplaced).toMatchObject([{ name: 'x', host: 'a', code }]);
  });

  describe("CPU: the hypervisors' answers (cpuCompatibleHosts) decide for custom and host-model", () => {
    const three = () => [host('a'), host('b', { compatibleCpuModels: ['kvm64'] }), host('c')];
    const lacks = 'Host CPU does not provide required features: pni';
    const refusals = [
      { host: 'b', reason: lacks },
      { host: 'c', reason: lacks },
    ];
    it.each([
      ['custom', { cpuMode: 'custom', cpuModel: 'qemu64' }],
      ['host-model', { cpuMode: 'host-model' }],
    ] as const)('%s: goes to an accepting host whose model list lacks it; refused hosts say why', (_, cpu) => {
      const x = vm('x', 'a', { ...cpu, cpuCompatibleHosts: ['b'], cpuRefusals: refusals });
      const p = drain(inventory(three(), [x]), ['a']);
      expect(p.feasible).toBe(true);
      expect(dest(p, 'x')).toBe('b');
      const r = drain(inventory(three(), [{ ...x, cpuCompatibleHosts: [] }]), ['a']);
      expect(r.unplaced).toMatchObject([{ name: 'x', code: 'CPU_INCOMPATIBLE' }]);
      expect(r.unplaced[0].reason).toContain('pni');
    });

    it('host-passthrough keeps the strict model rule whatever the hypervisors answered', () => {
      const x = vm('x', 'a', { cpuMode: 'host-passthrough', cpuCompatibleHosts: ['b', 'c'] });
      const p = drain(inventory(three(), [x]), ['a']);
      expect(dest(p, 'x')).toBe('c');
      const q = drain(inventory(three(), [x]), ['a'], { exclusions: [{ host: 'c' }] });
      expect(q.unplaced).toMatchObject([{ name: 'x', code: 'CPU_INCOMPATIBLE' }]);
      expect(q.unplaced[0].reason).toContain('b cannot run CPU model Skylake-Server (host-passthrough)');
    });
  });

  it('SERVER_GROUP when the only target already has an anti-affinity member', () => {
    const inv = inventory(
      two(),
      [vm('x', 'a', { serverGroup: 'g' }), vm('y', 'b', { serverGroup: 'g' })],
      [{ id: 'g', policy: 'anti-affinity' }],
    );
    const p = drain(inv, ['a']);
    expect(p.unplaced).toMatchObject([{ name: 'x', code: 'SERVER_GROUP' }]);
  });

  it('NO_CAPACITY reason states exactly what the closest host lacked', () => {
    const inv = inventory(
      [host('a'), host('c1-h1', { memoryMb: 4096 }), host('c1-h2', { memoryMb: 8192 })],
      [vm('x', 'a', { memoryMb: 11264 })],
    );
    const p = drain(inv, ['a']);
    expect(p.unplaced[0].reason).toContain('closest host c1-h2 lacks 3072 MB memory and 0 vCPU');
  });

  it('multi-host drain: neither drained host receives, anti-affinity members split', () => {
    const inv = inventory(
      [host('a'), host('b'), host('c'), host('d')],
      [vm('x', 'a', { serverGroup: 'g' }), vm('y', 'b', { serverGroup: 'g' }), vm('z', 'a'), vm('w', 'b')],
      [{ id: 'g', policy: 'anti-affinity' }],
    );
    const p = drain(inv, ['a', 'b']);
    expect(p.feasible).toBe(true);
    expect(p.moves.every((m) => m.to === 'c' || m.to === 'd')).toBe(true);
    expect(dest(p, 'x')).not.toBe(dest(p, 'y'));
  });

  it('affinity members on two drained hosts meet on one host; a pinned member blocks its group', () => {
    const groups = [{ id: 'f', policy: 'affinity' as const }];
    const p = drain(
      inventory(
        [host('a'), host('b'), host('c'), host('d')],
        [vm('x', 'a', { serverGroup: 'f' }), vm('y', 'b', { serverGroup: 'f' })],
        groups,
      ),
      ['a', 'b'],
    );
    expect(p.feasible).toBe(true);
    expect(dest(p, 'x')).toBe(dest(p, 'y'));
    const q = drain(
      inventory(two(), [vm('x', 'a', { serverGroup: 'f' }), vm('y', 'a', { serverGroup: 'f', pinned: true })], groups),
      ['a'],
    );
    expect(q.unplaced.map((u) => [u.name, u.code])).toEqual([
      ['x', 'SERVER_GROUP'],
      ['y', 'PINNED'],
    ]);
  });

  it('spreads load: lowest peak on receivers, with a proven bound', () => {
    const hosts = [host('a'), ...['b', 'c', 'd', 'e'].map((n) => host(n))];
    const vms = Array.from({ length: 8 }, (_, k) => vm(`v${k}`, 'a', { memoryMb: 8192 }));
    const p = drain(inventory(hosts, vms), ['a'], { now: () => 0 });
    expect(p.metrics.objective).toBeCloseTo(0.25, 6);
    expect(p.metrics.lowerBound).toBeCloseTo(0.25, 6);
    expect(p.metrics.gap).toBe(0);
  });

  it('is deterministic: the same inventory and seed give the same plan', () => {
    const inv = scenario('cell-200');
    const host0 = inv.hosts[0].name;
    const one = drain(inv, [host0], { seed: 7, method: 'heuristic' });
    const two2 = drain(inv, [host0], { seed: 7, method: 'heuristic' });
    expect(two2).toEqual(one);
    expect(one.moves.length).toBeGreaterThan(0);
  });
});
