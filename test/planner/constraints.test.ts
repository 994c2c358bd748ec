import { describe, it, expect } from 'vitest';
import {
  buildView,
  checkTarget,
  createUsage,
  addInstance,
  removeInstance,
  explainUnplaced,
} from '../../planner/constraints/index.js';
import { estimatedSeconds, migrationMode, moveGib, timeoutSeconds } from '../../planner/estimate.js';
import { host, inventory, vm } from './constraints-helpers.js';

describe('buildView', () => {
  it('computes usable capacity and current usage; only local storage consumes disk', () => {
    const inv = inventory(
      [
        host('a', {
          vcpus: 10,
          reservedVcpus: 2,
          cpuAllocationRatio: 4,
          memoryMb: 1000,
          reservedMemoryMb: 200,
          ramAllocationRatio: 1.5,
          diskGb: 100,
          reservedDiskGb: 10,
          diskAllocationRatio: 2,
        }),
      ],
      [vm('x', 'a', { storage: 'local', diskGb: 30 }), vm('y', 'a', { storage: 'shared', diskGb: 50 })],
    );
    const v = buildView(inv);
    expect([v.capacity.vcpus[0], v.capacity.memoryMb[0], v.capacity.diskGb[0]]).toEqual([32, 1200, 180]);
    expect([v.usage.vcpus[0], v.usage.memoryMb[0], v.usage.diskGb[0]]).toEqual([4, 8192, 30]);
  });
});

describe('checkTarget', () => {
  const base = () => [host('src'), host('dst'), host('other-cell', { cell: 'cell2' })];
  const cases: {
    name: string;
    hosts?: ReturnType<typeof base>;
    inst?: Parameters<typeof vm>[2];
    policy?: object;
    code: string;
    detail: RegExp;
  }[] = [
    {
      name: 'other cell',
      code: 'NO_TARGET_IN_CELL',
      detail: /cell cell2/,
      hosts: [host('src'), host('dst', { cell: 'cell2' })],
    },
    {
      name: 'disabled',
      code: 'NO_TARGET_IN_CELL',
      detail: /disabled/,
      hosts: [host('src'), host('dst', { enabled: false })],
    },
    { name: 'down', code: 'NO_TARGET_IN_CELL', detail: /down/, hosts: [host('src'), host('dst', { state: 'down' })] },
    { name: 'drained', code: 'NO_TARGET_IN_CELL', detail: /drained/, policy: { drained: ['src', 'dst'] } },
    { name: 'avoided', code: 'NO_TARGET_IN_CELL', detail: /avoid/, policy: { avoidHosts: ['dst'] } },
    { name: 'host excluded', code: 'EXCLUDED', detail: /excluded/, policy: { exclusions: [{ host: 'dst' }] } },
    {
      name: 'pair excluded',
      code: 'EXCLUDED',
      detail: /for this instance/,
      policy: { exclusions: [{ host: 'dst', instance: 'id-x' }] },
    },
    {
      name: 'hypervisor type',
      code: 'HYPERVISOR_INCOMPATIBLE',
      detail: /Xen/,
      hosts: [host('src'), host('dst', { hypervisorType: 'Xen' })],
    },
    {
      name: 'hypervisor version',
      code: 'HYPERVISOR_INCOMPATIBLE',
      detail: /older/,
      hosts: [host('src'), host('dst', { hypervisorVersion: 6000000 })],
    },
    {
      name: 'host-model CPU',
      code: 'CPU_INCOMPATIBLE',
      detail: /Skylake-Server/,
      hosts: [host('src'), host('dst', { cpuModel: 'Broadwell', compatibleCpuModels: ['Broadwell'] })],
    },
    {
      name: 'host-passthrough CPU',
      code: 'CPU_INCOMPATIBLE',
      detail: /host-passthrough/,
      inst: { cpuMode: 'host-passthrough' },
      hosts: [host('src'), host('dst', { compatibleCpuModels: ['Broadwell'] })],
    },
    {
      name: 'custom CPU',
      code: 'CPU_INCOMPATIBLE',
      detail: /Icelake/,
      inst: { cpuMode: 'custom', cpuModel: 'Icelake-Server' },
    },
    {
      name: 'memory',
      code: 'NO_CAPACITY',
      detail: /lacks 4096 MB memory and 0 vCPU/,
      inst: { memoryMb: 65536 + 4096 },
    },
    { name: 'vcpu', code: 'NO_CAPACITY', detail: /lacks 0 MB memory and 8 vCPU/, inst: { vcpus: 40 } },
    { name: 'local disk', code: 'NO_CAPACITY', detail: /200 GB disk/, inst: { storage: 'local', diskGb: 1200 } },
  ];
  it.each(cases)('$name -> $code', ({ hosts, inst, policy, code, detail }) => {
    const v = buildView(inventory(hosts ?? base(), [vm('x', 'src', inst)]), policy);
    const c = checkTarget(v, 0, 1, createUsage(v));
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.code).toBe(code);
      expect(c.detail).toMatch(detail);
    }
  });

  it('accepts a compatible host with room, and custom CPU found in the list', () => {
    const v = buildView(inventory(base(), [vm('x', 'src', { cpuMode: 'custom', cpuModel: 'Broadwell' })]));
    expect(checkTarget(v, 0, 1, createUsage(v))).toEqual({ ok: true });
  });

  it('anti-affinity counts arrivals; affinity follows members that stay', () => {
    const groups = [
      { id: 'anti', policy: 'anti-affinity' as const },
      { id: 'aff', policy: 'affinity' as const },
    ];
    const inv = inventory(
      [host('s'), host('d1'), host('d2')],
      [
        vm('a1', 's', { serverGroup: 'anti' }),
        vm('a2', 'd1', { serverGroup: 'anti' }),
        vm('f1', 's', { serverGroup: 'aff' }),
        vm('f2', 'd2', { serverGroup: 'aff' }),
        vm('a3', 's', { serverGroup: 'anti' }),
      ],
      groups,
    );
    const v = buildView(inv, { drained: ['s'] });
    const s = createUsage(v);
    expect(checkTarget(v, 0, 1, s)).toMatchObject({ ok: false, code: 'SERVER_GROUP' });
    expect(checkTarget(v, 0, 2, s)).toEqual({ ok: true });
    addInstance(v, s, 0, 2);
    expect(checkTarget(v, 4, 2, s)).toMatchObject({ ok: false, code: 'SERVER_GROUP' });
    removeInstance(v, s, 0, 2);
    expect(checkTarget(v, 4, 2, s)).toEqual({ ok: true });
    expect(checkTarget(v, 2, 1, s)).toMatchObject({
      ok: false,
      code: 'SERVER_GROUP',
      detail: /affinity group aff has members on d2/,
    });
    expect(checkTarget(v, 2, 2, s)).toEqual({ ok: true });
  });
});

describe('explainUnplaced', () => {
  it('names the closest host and exactly what it lacked', () => {
    const inv = inventory(
      [
        host('c1-h0'),
        host('c1-h1', { memoryMb: 8192 }),
        host('c1-h2', { memoryMb: 12288 }),
        host('c2-h0', { cell: 'cell2', memoryMb: 999999 }),
      ],
      [vm('big', 'c1-h0', { memoryMb: 16384 }), vm('fill', 'c1-h2', { memoryMb: 1024 })],
    );
    const v = buildView(inv, { drained: ['c1-h0'] });
    const e = explainUnplaced(v, 0, createUsage(v));
    expect(e.code).toBe('NO_CAPACITY');
    expect(e.reason).toContain('closest host c1-h2 lacks 5120 MB memory and 0 vCPU');
  });

  it('reports the furthest rule reached: CPU beats hypervisor', () => {
    const inv = inventory(
      [host('s'), host('old', { hypervisorVersion: 1 }), host('other', { compatibleCpuModels: ['kvm64'] })],
      [vm('x', 's')],
    );
    const v = buildView(inv, { drained: ['s'] });
    expect(explainUnplaced(v, 0, createUsage(v)).code).toBe('CPU_INCOMPATIBLE');
  });
});

describe('estimate', () => {
  it.each([
    [{ pinned: true }, null, 'PINNED'],
    [{ storage: 'local' as const, configDrive: true }, null, 'READONLY_DEVICE'],
    [{ storage: 'local' as const, cdrom: true }, null, 'READONLY_DEVICE'],
    [{ status: 'SHUTOFF' as const, storage: 'local' as const, cdrom: true }, 'cold', undefined],
    [{ status: 'PAUSED' as const }, 'live', undefined],
    [{ storage: 'volume' as const }, 'live', undefined],
    [{ storage: 'local' as const }, 'block', undefined],
  ])('migrationMode %o -> %s %s', (over, mode, code) => {
    const d = migrationMode(vm('x', 'h', over));
    expect(d.mode).toBe(mode);
    if (d.mode === null) expect(d.code).toBe(code);
  });

  it('timeout = 800 x max(2, GiB), disk counted for block only', () => {
    expect(timeoutSeconds(vm('x', 'h', { memoryMb: 8192 }), 'live')).toBe(6400);
    expect(timeoutSeconds(vm('x', 'h', { memoryMb: 512 }), 'live')).toBe(1600);
    expect(moveGib(vm('x', 'h', { memoryMb: 4096, diskGb: 20 }), 'block')).toBe(24);
    expect(timeoutSeconds(vm('x', 'h', { memoryMb: 4096, diskGb: 20 }), 'block', 100)).toBe(2400);
  });

  it('estimated time grows with dirty rate and disk, and uses the slower link', () => {
    const fast = host('f', { migrationBandwidthMbps: 10000 });
    const slow = host('s', { migrationBandwidthMbps: 1000 });
    const quiet = vm('q', 'f', { memoryMb: 8192, dirtyRateMbps: 0 });
    const busy = vm('b', 'f', { memoryMb: 8192, dirtyRateMbps: 5000 });
    const t0 = estimatedSeconds(quiet, 'live', fast, fast);
    expect(t0).toBeCloseTo(2 + (8192 * 8 * 1.048576) / 10000, 1);
    expect(estimatedSeconds(busy, 'live', fast, fast)).toBeGreaterThan(t0 * 1.5);
    expect(estimatedSeconds(quiet, 'live', fast, slow) - 2).toBeCloseTo((t0 - 2) * 10, 0);
    expect(estimatedSeconds(vm('l', 'f', { storage: 'local', diskGb: 100 }), 'block', fast, fast)).toBeGreaterThan(80);
  });
});
