/**
 * The collector's CPU questions (src/inventory/cpu.ts): who is asked, how answers, configured
 * models and failures combine, and the cache. The real comparison runs in the libvirt driver
 * and lab tests; here the hypervisor's answers are scripted.
 */
import { describe, expect, it } from 'vitest';
import type { CpuVerdict, GuestCpu } from '../../executor/hypervisor/types.js';
import { collectInventory, type CollectWarning } from '../../src/inventory/collect.js';
import type { CpuAnswerCache } from '../../src/inventory/cpu.js';
import { domain, fakeHypervisor } from './fake-hypervisor.js';

const qemu64: GuestCpu = { xml: "<cpu mode='custom'><model>qemu64</model></cpu>", virtType: 'kvm', arch: 'x86_64' };
const answers: Record<string, CpuVerdict | 'error'> = {
  a: { compatible: true, reason: null },
  b: { compatible: true, reason: null },
  c: { compatible: false, reason: 'Host CPU does not provide required features: pni' },
  e: { compatible: true, reason: null },
  f: 'error',
};

function rig() {
  const base = fakeHypervisor({
    a: { domains: [domain('vm1', { cpuMode: 'custom', cpuModel: 'qemu64', guestCpu: qemu64 })] },
    b: { domains: [domain('vm2', { cpuMode: 'custom', cpuModel: 'qemu64', guestCpu: { ...qemu64 } })] },
    c: { domains: [domain('vm3', { cpuMode: 'host-passthrough' })] },
    d: {},
    e: {},
    f: {},
  });
  const asked: string[] = [];
  const hv = {
    ...base,
    async compareCpu(host: string, cpu: GuestCpu) {
      asked.push(`${host} ${cpu.xml.includes('qemu64') ? 'qemu64' : '?'}`);
      const a = answers[host];
      if (a === 'error') throw new Error('connection reset');
      return a;
    },
  };
  const hosts = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({
    name,
    uri: `test:///${name}`,
    cell: name === 'd' ? 'c2' : 'c1',
    ...(name === 'e' ? { compatibleCpuModels: ['Broadwell'] } : {}),
  }));
  return { hv, hosts, asked };
}

describe('collection asks the hypervisors about guest CPUs', () => {
  it('asks every candidate of the cell once per definition; narrows by configured models; falls back on errors', async () => {
    const { hv, hosts, asked } = rig();
    const warnings: CollectWarning[] = [];
    const cache: CpuAnswerCache = new Map();
    const inv = await collectInventory({
      hypervisor: hv,
      hosts,
      sampleMs: 0,
      cpuCache: cache,
      onWarning: (w) => warnings.push(w),
    });
    const vm = (id: string) => inv.instances.find((i) => i.id === id)!;
    // one definition, asked on each host of cell c1 but its own (a for vm1, b for vm2): never d (cell c2)
    expect(asked.sort()).toEqual(['a qemu64', 'b qemu64', 'c qemu64', 'e qemu64', 'f qemu64']);
    expect(vm('vm1').cpuCompatibleHosts).toEqual(['b']);
    expect(vm('vm2').cpuCompatibleHosts).toEqual(['a']);
    expect(vm('vm1').cpuRefusals).toEqual([
      { host: 'c', reason: 'its hypervisor refuses it: Host CPU does not provide required features: pni' },
      { host: 'e', reason: 'qemu64 is not in the compatibleCpuModels configured for e (Skylake-Server, Broadwell)' },
      {
        host: 'f',
        reason: 'its hypervisor could not be asked and qemu64 is not among its CPU models (Skylake-Server)',
      },
    ]);
    expect(vm('vm3').cpuCompatibleHosts).toBeUndefined(); // host-passthrough: the model rule only
    expect(warnings.filter((w) => w.code === 'CPU_COMPARE_FAILED').map((w) => w.host)).toEqual(['f']);

    asked.length = 0;
    const again = await collectInventory({ hypervisor: hv, hosts, sampleMs: 0, cpuCache: cache });
    expect(asked).toEqual(['f qemu64']); // answers are cached; the failed host is asked again
    expect(again.instances.find((i) => i.id === 'vm1')!.cpuCompatibleHosts).toEqual(['b']);
  });
});
