/**
 * CPU compatibility from the hypervisors on the real lab, with a configuration that holds only
 * names, URIs, migration URIs and cells. The lab's guests use QEMU's default qemu64 and a custom
 * kvm64; lab-c's libvirt names its CPU differently (scripts/lab/up.sh), so a host-passthrough
 * guest of lab-a can go to lab-b only.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdLab, labSkip, labVm, resetVms, virsh } from '../support/lab.js';
import { locate, openRig } from './support.js';

/** A running host-passthrough guest on lab-a (arch-capabilities off: this machine's KVM refuses its MSR). */
async function passthroughVm(): Promise<{ name: string; uuid: string }> {
  const vm = { name: `pt-${randomUUID().slice(0, 8)}`, uuid: randomUUID() };
  const vt = (await virsh('lab-a', 'domcapabilities', '--virttype', 'kvm').catch(() => '')).includes('kvm')
    ? 'kvm'
    : 'qemu';
  const xml = `<domain type='${vt}'><name>${vm.name}</name><uuid>${vm.uuid}</uuid>
  <memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <cpu mode='host-passthrough'><feature policy='disable' name='arch-capabilities'/></cpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/><memballoon model='none'/></devices></domain>`;
  const file = join(mkdtempSync(join(tmpdir(), 'rb-pt-')), 'domain.xml');
  writeFileSync(file, xml);
  await virsh('lab-a', 'define', file);
  await virsh('lab-a', 'start', vm.name);
  return vm;
}

async function remove(name: string): Promise<void> {
  for (const host of ['lab-a', 'lab-b', 'lab-c']) {
    await virsh(host, 'destroy', name).catch(() => '');
    await virsh(host, 'undefine', name).catch(() => '');
  }
}

describe.skipIf(labSkip)('CPU compatibility asked of the lab hypervisors', () => {
  const lab = holdLab();

  it('drains lab-a with no compatibleCpuModels configured; the host-passthrough guest avoids lab-c', async () => {
    await resetVms();
    const pt = await passthroughVm();
    const rig = openRig(lab());
    try {
      expect(rig.hosts.every((h) => h.compatibleCpuModels === undefined)).toBe(true);
      const t0 = Date.now();
      const inv = await rig.collect();
      console.info(`[e2e] collected with CPU comparisons in ${Date.now() - t0} ms`);
      const byName = new Map(inv.instances.map((i) => [i.name, i]));
      expect(inv.hosts.find((h) => h.name === 'lab-c')!.cpuModel).toBe('lab-c-kvm64');
      expect(inv.hosts.find((h) => h.name === 'lab-b')!.cpuModel).toBe('kvm64');
      for (const name of ['small1', 'small2', 'disky', 'big'])
        expect(byName.get(name)!.cpuCompatibleHosts, name).toEqual(['lab-b', 'lab-c']);
      expect(byName.get('small1')).toMatchObject({ cpuMode: 'custom', cpuModel: 'qemu64' });
      expect(byName.get(pt.name)).toMatchObject({ cpuMode: 'host-passthrough' });
      expect(byName.get(pt.name)!.cpuCompatibleHosts).toBeUndefined();

      // the host-passthrough guest alone, lab-b avoided: refused with its reason
      const onlyC = await rig.planFor([pt.name], { avoidHosts: ['lab-b'] });
      expect(onlyC.feasible).toBe(false);
      expect(onlyC.unplaced).toMatchObject([{ name: pt.name, code: 'CPU_INCOMPATIBLE' }]);
      expect(onlyC.unplaced[0].reason).toContain('lab-c cannot run CPU model kvm64 (host-passthrough)');

      // lab-b and lab-c have 2 vCPUs each: four of the five 1-vCPU guests fit (big stays; the full
      // drain of the four lab VMs is lab-drain.test.ts, with this same configuration)
      const only = ['small1', 'small2', 'disky', pt.name];
      const orch = rig.orchestrator({ only });
      const planned = await orch.plan(await rig.collect(only), { goal: 'drain', hosts: ['lab-a'], source: 'cli' });
      const plan = planned.plan;
      expect(plan.unplaced).toEqual([]);
      expect(plan.feasible).toBe(true);
      expect(plan.moves.map((m) => m.name).sort()).toEqual([...only].sort());
      expect(plan.moves.find((m) => m.name === pt.name)!.to).toBe('lab-b');
      const stored = await orch.save(planned);
      if (!stored.ok) throw new Error('lab-a is held by another plan');
      const result = await orch.execute(stored.record.id);
      expect(result.status).toBe('succeeded');
      for (const m of plan.moves) {
        const where = m.name === pt.name ? pt : labVm(m.name);
        expect(await locate(rig, where), m.name).toEqual({ runningOn: [m.to], definedOn: [m.to] });
      }
    } finally {
      await rig.close();
      await remove(pt.name);
    }
  }, 300_000);
});
