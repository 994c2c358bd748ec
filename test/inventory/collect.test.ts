import { describe, expect, it } from 'vitest';
import { collectInventory, type CollectWarning } from '../../src/inventory/collect.js';
import type { DiskFacts } from '../../executor/hypervisor/types.js';
import { domain, fakeHypervisor, virtualClock } from './fake-hypervisor.js';

const disk = (over: Partial<DiskFacts>): DiskFacts => ({
  target: 'vda',
  source: '/x',
  storage: 'local',
  device: 'disk',
  readonly: false,
  sizeGb: 10,
  ...over,
});
const cfg = (name: string, over = {}) => ({ name, uri: `test:///${name}`, cell: 'c1', ...over });

describe('collectInventory with a fake hypervisor', () => {
  it('reports an unreachable host as down without instances and keeps the others', async () => {
    const hv = fakeHypervisor({
      a: { domains: [domain('vm1')] },
      b: { failure: 'throw', domains: [domain('vm2')] },
      c: { failure: 'unreachable' },
      d: { failure: 'hang' },
    });
    const warnings: CollectWarning[] = [];
    const inv = await collectInventory({
      hypervisor: hv,
      hosts: ['a', 'b', 'c', 'd'].map((n) => cfg(n)),
      sampleMs: 0,
      hostTimeoutMs: 50,
      onWarning: (w) => warnings.push(w),
    });
    expect(inv.hosts.map((h) => [h.name, h.state])).toEqual([
      ['a', 'up'],
      ['b', 'down'],
      ['c', 'down'],
      ['d', 'down'],
    ]);
    expect(inv.instances.map((i) => [i.id, i.host])).toEqual([['vm1', 'a']]);
    expect(warnings.filter((w) => w.code === 'HOST_UNREACHABLE').map((w) => w.host)).toEqual(['b', 'c', 'd']);
    expect(warnings.find((w) => w.host === 'd')?.message).toMatch(/within 50 ms/);
  });

  it.each([
    ['local writable disk', [disk({}), disk({ storage: 'volume', sizeGb: 100 })], 'local', 10],
    ['network disk only', [disk({ storage: 'volume', sizeGb: 100 })], 'volume', 0],
    ['shared file disk', [disk({ storage: 'shared', sizeGb: 40 })], 'shared', 0],
    ['no disk', [], 'shared', 0],
    [
      'read-only local disk + cdrom',
      [disk({ readonly: true }), disk({ device: 'cdrom', readonly: true })],
      'shared',
      0,
    ],
    ['two local disks', [disk({ sizeGb: 8 }), disk({ target: 'vdb', sizeGb: 2.5 })], 'local', 10.5],
  ] as const)('classifies storage: %s', async (_name, disks, storage, diskGb) => {
    const hv = fakeHypervisor({ a: { domains: [domain('vm', { disks: [...disks] })] } });
    const inv = await collectInventory({ hypervisor: hv, hosts: [cfg('a')], sampleMs: 0 });
    expect(inv.instances[0]).toMatchObject({ storage, diskGb });
  });

  it('maps states, devices, CPU mode and metadata', async () => {
    const hv = fakeHypervisor({
      a: {
        domains: [
          domain('p', { state: 'paused', configDrive: true, serverGroup: 'sg', pinned: true }),
          domain('s', { state: 'shutoff', cdrom: true, cpuMode: 'custom', cpuModel: 'Broadwell' }),
          domain('o', { state: 'other', serverGroup: 'nope' }),
        ],
      },
    });
    const warnings: CollectWarning[] = [];
    const inv = await collectInventory({
      hypervisor: hv,
      hosts: [cfg('a')],
      sampleMs: 0,
      serverGroups: [{ id: 'sg', policy: 'anti-affinity' }],
      onWarning: (w) => warnings.push(w),
    });
    expect(inv.instances.map((i) => [i.id, i.status, i.pinned, i.serverGroup])).toEqual([
      ['p', 'PAUSED', true, 'sg'],
      ['s', 'SHUTOFF', false, null],
      ['o', 'SHUTOFF', true, null],
    ]);
    expect(inv.instances[0]).toMatchObject({ configDrive: true, cdrom: false });
    expect(inv.instances[1]).toMatchObject({ cdrom: true, cpuMode: 'custom', cpuModel: 'Broadwell' });
    expect(warnings.map((w) => w.code)).toEqual(['UNKNOWN_SERVER_GROUP']);
  });

  it('assigns server groups from configured members when metadata names none', async () => {
    const hv = fakeHypervisor({
      a: { domains: [domain('u1', { name: 'web1' }), domain('u2', { name: 'web2', serverGroup: 'db' }), domain('u3')] },
    });
    const inv = await collectInventory({
      hypervisor: hv,
      hosts: [cfg('a')],
      sampleMs: 0,
      serverGroups: [
        { id: 'web', policy: 'anti-affinity', members: ['web1', 'u2'] },
        { id: 'db', policy: 'affinity' },
      ],
    });
    expect(inv.instances.map((i) => i.serverGroup)).toEqual(['web', 'db', null]);
    expect(inv.serverGroups).toEqual([
      { id: 'web', policy: 'anti-affinity' },
      { id: 'db', policy: 'affinity' },
    ]);
  });

  it('takes placement settings from configuration and sizes from the host', async () => {
    const hv = fakeHypervisor({ a: { facts: { cpus: 8, memoryMb: 32768, diskGb: 200, cpuModel: 'Haswell' } } });
    const inv = await collectInventory({
      hypervisor: hv,
      sampleMs: 0,
      hosts: [
        cfg('a', {
          zone: 'z1',
          enabled: false,
          cpuAllocationRatio: 4,
          reservedMemoryMb: 2048,
          compatibleCpuModels: ['kvm64'],
          migrationBandwidthMbps: 1000,
        }),
      ],
    });
    expect(inv.hosts[0]).toMatchObject({
      name: 'a',
      cell: 'c1',
      zone: 'z1',
      enabled: false,
      vcpus: 8,
      memoryMb: 32768,
      diskGb: 200,
      cpuAllocationRatio: 4,
      ramAllocationRatio: 1,
      reservedMemoryMb: 2048,
      cpuModel: 'Haswell',
      compatibleCpuModels: ['Haswell', 'kvm64'],
      migrationBandwidthMbps: 1000,
      hypervisorType: 'QEMU',
      hypervisorVersion: 7002000,
      cpuUsage: null,
    });
  });

  it('measures CPU utilisation from two samples', async () => {
    // each listDomains adds 1 s of guest CPU time; samples are 2 s apart; 2 vCPUs -> 25 %
    const hv = fakeHypervisor({
      a: {
        facts: { cpus: 4 },
        cpuNsPerCall: 1e9,
        domains: [domain('vm', { vcpus: 2 }), domain('off', { state: 'shutoff' })],
      },
    });
    const inv = await collectInventory({ hypervisor: hv, hosts: [cfg('a')], sampleMs: 2000, clock: virtualClock() });
    expect(inv.instances.map((i) => i.cpuUsage)).toEqual([0.25, null]);
    expect(inv.hosts[0].cpuUsage).toBe(0.125); // 1 s over 2 s x 4 CPUs, from guest time
  });

  it('keeps one copy of a domain seen on two hosts, preferring the running one', async () => {
    const hv = fakeHypervisor({ a: { domains: [domain('vm', { state: 'shutoff' })] }, b: { domains: [domain('vm')] } });
    const warnings: CollectWarning[] = [];
    const inv = await collectInventory({
      hypervisor: hv,
      hosts: [cfg('a'), cfg('b')],
      sampleMs: 0,
      onWarning: (w) => warnings.push(w),
    });
    expect(inv.instances.map((i) => [i.id, i.host, i.status])).toEqual([['vm', 'b', 'ACTIVE']]);
    expect(warnings.map((w) => w.code)).toEqual(['DUPLICATE_DOMAIN']);
  });

  it('queries at most `concurrency` hosts at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const base = fakeHypervisor(Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`h${k}`, {}])));
    const hv = {
      ...base,
      async hostFacts(name: string) {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return base.hostFacts(name);
      },
    };
    const inv = await collectInventory({
      hypervisor: hv,
      hosts: Array.from({ length: 10 }, (_, k) => cfg(`h${k}`)),
      sampleMs: 0,
      concurrency: 3,
    });
    expect(inv.hosts).toHaveLength(10);
    expect(peak).toBe(3);
  });
});
