/**
 * The libvirt driver against the three-host lab (scripts/lab/up.sh). Tests run in order and
 * share the lab: each migration test starts from where the previous one left the VMs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibvirtHypervisor } from '../../executor/hypervisor/libvirt/index.js';
import { HypervisorError } from '../../executor/hypervisor/errors.js';
import type { Hypervisor, JobProgress } from '../../executor/hypervisor/types.js';
import {
  hostNames,
  labSkip,
  labVm,
  lockLab,
  requireLab,
  resetVms,
  startDaemon,
  stopDaemon,
  virsh,
} from '../support/lab.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(labSkip)('libvirt driver on the lab', () => {
  let hv: Hypervisor;
  let release: (() => Promise<void>) | undefined;
  const all = () => hostNames();
  const timed = async (what: string, fn: () => Promise<void>) => {
    const t = Date.now();
    await fn();
    console.info(`[libvirt] ${what}: ${((Date.now() - t) / 1000).toFixed(2)} s`);
  };

  beforeAll(async () => {
    const lab = requireLab();
    release = await lockLab();
    await resetVms();
    hv = createLibvirtHypervisor({
      hosts: [
        ...lab.hosts,
        { name: 'lab-gone', uri: `qemu+unix:///system?socket=${lab.dir}/no-such-host/sock`, cell: 'lab' },
      ],
      storagePools: ['images'],
    });
  }, 780_000);
  afterAll(async () => {
    await hv?.close();
    await release?.();
  });

  it('reads host facts of every lab host, and reports an unreachable host as such', async () => {
    for (const name of all()) {
      const f = await hv.hostFacts(name);
      expect(f).toMatchObject({ name, reachable: true, hypervisorType: 'QEMU' });
      expect(f.cpus).toBeGreaterThan(0);
      expect(f.freeMemoryMb).toBeGreaterThan(0);
      expect(f.freeMemoryMb).toBeLessThanOrEqual(f.memoryMb);
      expect(f.hypervisorVersion).toBeGreaterThan(1_000_000);
      expect(f.cpuTimeNs).toBeGreaterThan(0);
      expect(f.diskGb).toBeGreaterThan(0);
      expect(f.cpuModel).not.toBe('unknown');
    }
    expect(await hv.hostFacts('lab-gone')).toMatchObject({ name: 'lab-gone', reachable: false });
    await expect(hv.listDomains('lab-gone')).rejects.toMatchObject({ code: 'HOST_UNREACHABLE', transient: true });
  });

  it('lists the test VMs on lab-a with sizes, disks and metadata', async () => {
    const doms = await hv.listDomains('lab-a');
    const byName = new Map(doms.map((d) => [d.name, d]));
    expect([...byName.keys()].sort()).toEqual(['big', 'disky', 'small1', 'small2']);
    for (const d of doms) {
      expect(d.id).toBe(labVm(d.name).uuid);
      expect(d.memoryMb).toBe(labVm(d.name).memoryMb);
      expect(d).toMatchObject({ state: 'running', vcpus: 1, configDrive: false, cdrom: false });
      expect(d.cpuTimeNs).toBeGreaterThan(0);
    }
    expect(byName.get('disky')!.disks).toEqual([
      {
        target: 'vda',
        source: '/var/lib/libvirt/images/disky.qcow2',
        storage: 'local',
        device: 'disk',
        readonly: false,
        sizeGb: 0.063,
      },
    ]);
    expect(byName.get('small1')).toMatchObject({ disks: [], serverGroup: 'lab-group', pinned: false });
    expect(byName.get('small2')).toMatchObject({ cpuMode: 'custom', cpuModel: 'kvm64', serverGroup: 'lab-group' });
    expect(byName.get('big')!.serverGroup).toBeNull();
    expect(await hv.listDomains('lab-b')).toEqual([]);
  });

  it("asks each host's hypervisor about a guest CPU: the live definitions fit, a missing feature is named", async () => {
    const doms = new Map((await hv.listDomains('lab-a')).map((d) => [d.name, d]));
    const small1 = doms.get('small1')!.guestCpu!;
    // QEMU's default qemu64, as libvirt settled it at start (features this machine lacks disabled)
    expect(small1).toMatchObject({ virtType: expect.stringMatching(/^(kvm|qemu)$/), arch: 'x86_64' });
    expect(small1.xml).toMatch(/^<cpu mode='custom'[\s\S]*<model[^>]*>qemu64<\/model>[\s\S]*<\/cpu>$/);
    expect(doms.get('small2')!.guestCpu!.xml).toContain('>kvm64</model>');
    for (const host of ['lab-b', 'lab-c'])
      for (const name of ['small1', 'small2', 'big'])
        expect(await hv.compareCpu!(host, doms.get(name)!.guestCpu!), `${name} on ${host}`).toEqual({
          compatible: true,
          reason: null,
        });
    // KVM here lacks pni (the lab guests themselves run under TCG, which emulates it)
    const pni = { ...small1, virtType: 'kvm', xml: "<cpu mode='custom' match='exact'><model>qemu64</model></cpu>" };
    const bare = await hv.compareCpu!('lab-b', pni);
    expect(bare.compatible).toBe(false);
    expect(bare.reason).toMatch(/does not provide required features: .*pni/);
    const caps = await virsh('lab-c', 'capabilities');
    expect(caps).toContain('<model>lab-c-kvm64</model>'); // the lab's host with another CPU name
    expect((await hv.hostFacts('lab-c')).cpuModel).toBe('lab-c-kvm64');
    expect((await hv.hostFacts('lab-b')).libvirtVersion).toBeGreaterThan(4_004_000);
    await expect(hv.compareCpu!('lab-gone', small1)).rejects.toMatchObject({ code: 'HOST_UNREACHABLE' });
  });

  it('live-migrates small1 lab-a -> lab-b and back', async () => {
    const vm = labVm('small1');
    const req = { domainId: vm.uuid, domainName: vm.name, mode: 'live' as const };
    await timed('live migration small1 lab-a -> lab-b', () => hv.migrate({ ...req, from: 'lab-a', to: 'lab-b' }));
    expect(await hv.locate(vm.uuid, all())).toEqual({ runningOn: ['lab-b'], definedOn: ['lab-b'] });
    expect((await hv.listDomains('lab-b')).map((d) => d.name)).toEqual(['small1']);
    expect((await hv.jobProgress('lab-a', vm.uuid)).type).toBe('none');
    await timed('live migration small1 lab-b -> lab-a', () => hv.migrate({ ...req, from: 'lab-b', to: 'lab-a' }));
    expect(await hv.locate(vm.uuid, all())).toEqual({ runningOn: ['lab-a'], definedOn: ['lab-a'] });
  });

  it('block-migrates disky with its local disk to lab-b', async () => {
    const vm = labVm('disky');
    await timed('block migration disky lab-a -> lab-b', () =>
      hv.migrate({ domainId: vm.uuid, domainName: vm.name, from: 'lab-a', to: 'lab-b', mode: 'block' }),
    );
    expect(await hv.locate(vm.uuid, all())).toEqual({ runningOn: ['lab-b'], definedOn: ['lab-b'] });
    const [disky] = (await hv.listDomains('lab-b')).filter((d) => d.name === 'disky');
    expect(disky!.disks[0]).toMatchObject({
      source: '/var/lib/libvirt/images/disky.qcow2',
      storage: 'local',
      sizeGb: 0.063,
    });
  });

  it('a live migration of a domain with a local disk but without block mode fails and leaves it in place', async () => {
    const vm = labVm('disky');
    const err = await hv
      .migrate({ domainId: vm.uuid, domainName: vm.name, from: 'lab-b', to: 'lab-c', mode: 'live' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HypervisorError);
    expect((err as HypervisorError).code).toBe('MIGRATION_FAILED');
    expect(await hv.locate(vm.uuid, all())).toEqual({ runningOn: ['lab-b'], definedOn: ['lab-b'] });
  });

  it('reports progress of a bandwidth-limited migration of big, changes its speed, and aborts it', async () => {
    const vm = labVm('big');
    const started = Date.now();
    const migration = hv.migrate({
      domainId: vm.uuid,
      domainName: vm.name,
      from: 'lab-a',
      to: 'lab-c',
      mode: 'live',
      bandwidthMiBps: 20,
    });
    const outcome = migration.then(
      () => 'completed',
      (e: unknown) => e,
    );
    const samples: JobProgress[] = [];
    // job statistics read zero while the destination QEMU starts: wait for data to flow
    while (samples.filter((s) => s.dataProcessed > 0).length < 3 && Date.now() - started < 30_000) {
      await sleep(500);
      const p = await hv.jobProgress('lab-a', vm.uuid);
      if (p.dataProcessed > 0) samples.push(p);
    }
    expect(samples.length).toBe(3);
    for (const s of samples) expect(s).toMatchObject({ type: 'unbounded', postCopy: false });
    expect(samples[1]!.dataProcessed).toBeGreaterThan(samples[0]!.dataProcessed);
    expect(samples[2]!.dataProcessed).toBeGreaterThan(samples[1]!.dataProcessed);
    expect(samples[0]!.dataTotal).toBeGreaterThanOrEqual(512 * 1024 * 1024);

    await hv.setMaxSpeed('lab-a', vm.uuid, 40);
    const before = await hv.jobProgress('lab-a', vm.uuid);
    await sleep(1000);
    const after = await hv.jobProgress('lab-a', vm.uuid);
    const rate = (after.dataProcessed - before.dataProcessed) / ((after.elapsedMs - before.elapsedMs) / 1000) / 2 ** 20;
    console.info(`[libvirt] big at 20 -> 40 MiB/s: ${rate.toFixed(1)} MiB/s after setMaxSpeed`);
    expect(rate).toBeGreaterThan(25);

    await hv.abortJob('lab-a', vm.uuid);
    const err = await outcome;
    expect(err).toBeInstanceOf(HypervisorError);
    expect((err as HypervisorError).code).toBe('ABORTED');
    expect(await hv.locate(vm.uuid, all())).toEqual({ runningOn: ['lab-a'], definedOn: ['lab-a'] });
    expect((await hv.jobProgress('lab-a', vm.uuid)).type).toBe('none');
    await expect(hv.abortJob('lab-a', vm.uuid)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 90_000);

  it('switches a migration of big to post-copy, which then completes well before pre-copy could', async () => {
    const vm = labVm('big');
    const started = Date.now();
    const migration = hv.migrate({
      domainId: vm.uuid,
      domainName: vm.name,
      from: 'lab-a',
      to: 'lab-c',
      mode: 'live',
      bandwidthMiBps: 20,
      postCopy: true,
      autoConverge: true,
      maxDowntimeMs: 200,
    });
    let p = await hv.jobProgress('lab-a', vm.uuid);
    while (p.dataProcessed === 0 && Date.now() - started < 30_000) {
      await sleep(300);
      p = await hv.jobProgress('lab-a', vm.uuid);
    }
    expect(p).toMatchObject({ type: 'unbounded', postCopy: false, downtimeMs: 200 });
    await hv.startPostCopy('lab-a', vm.uuid);
    expect((await hv.jobProgress('lab-a', vm.uuid)).postCopy).toBe(true);
    await migration;
    const seconds = (Date.now() - started) / 1000;
    console.info(
      `[libvirt] post-copy migration big lab-a -> lab-c: ${seconds.toFixed(2)} s (pre-copy at 20 MiB/s needs > 25 s)`,
    );
    expect(seconds).toBeLessThan(20);
    expect(await hv.locate(vm.uuid, all())).toEqual({ runningOn: ['lab-c'], definedOn: ['lab-c'] });
  }, 60_000);

  it('suspends and resumes a domain', async () => {
    const vm = labVm('small2');
    await hv.suspend('lab-a', vm.uuid);
    expect((await hv.listDomains('lab-a')).find((d) => d.id === vm.uuid)!.state).toBe('paused');
    await hv.resume('lab-a', vm.uuid);
    expect((await hv.listDomains('lab-a')).find((d) => d.id === vm.uuid)!.state).toBe('running');
    await expect(hv.suspend('lab-c', vm.uuid)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('cold-migrates a shut-off domain without local disks', async () => {
    const vm = labVm('small2');
    await virsh('lab-a', 'destroy', vm.name);
    await timed('cold migration small2 lab-a -> lab-c', () =>
      hv.migrate({ domainId: vm.uuid, domainName: vm.name, from: 'lab-a', to: 'lab-c', mode: 'cold' }),
    );
    expect(await hv.locate(vm.uuid, all())).toEqual({ runningOn: [], definedOn: ['lab-c'] });
    expect((await hv.listDomains('lab-c')).find((d) => d.id === vm.uuid)).toMatchObject({
      state: 'shutoff',
      memoryMb: 128,
    });
  });

  it('locates domains, survives a stopped daemon and reconnects after its restart', async () => {
    const small1 = labVm('small1');
    expect(await hv.locate('00000000-1111-2222-3333-444444444444', all())).toEqual({ runningOn: [], definedOn: [] });
    await stopDaemon('lab-b');
    try {
      expect((await hv.hostFacts('lab-b')).reachable).toBe(false);
      expect(await hv.locate(small1.uuid, all())).toEqual({ runningOn: ['lab-a'], definedOn: ['lab-a'] });
      const err = await hv
        .migrate({ domainId: small1.uuid, domainName: small1.name, from: 'lab-a', to: 'lab-b', mode: 'live' })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'HOST_UNREACHABLE', transient: true });
    } finally {
      await startDaemon('lab-b');
    }
    expect((await hv.hostFacts('lab-b')).reachable).toBe(true);
    expect((await hv.locate(labVm('disky').uuid, all())).runningOn).toEqual(['lab-b']);
  });

  it('measures dirty rates (patch 05): idle guests near 0, unknown domains skipped', async () => {
    const ids = ['small1', 'small2', 'big'].map((n) => labVm(n).uuid);
    const host = (await hv.locate(ids[0], all())).runningOn[0];
    const here: string[] = [];
    for (const id of ids) if ((await hv.locate(id, all())).runningOn[0] === host) here.push(id);
    const started = await hv.startDirtyRateCalc(host, [...here, '00000000-1111-2222-3333-444444444444'], 1);
    expect(started.sort()).toEqual([...here].sort());
    await sleep(1200);
    const rates = await hv.dirtyRates(host, started);
    expect([...rates.keys()].sort()).toEqual([...here].sort());
    for (const [id, mibps] of rates) expect(mibps, id).toBeLessThan(4); // the idle lab guests write almost nothing
  });
});
