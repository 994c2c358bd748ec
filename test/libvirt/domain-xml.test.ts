import { describe, expect, it } from 'vitest';
import { parseDomainXml, parseHostCpuModel } from '../../executor/hypervisor/libvirt/domain-xml.js';
import { toHypervisorError } from '../../executor/hypervisor/libvirt/errors.js';
import { migrationFlags, progressFromJobStats, VIR_MIGRATE } from '../../executor/hypervisor/libvirt/migration.js';
import { versionNumber } from '../../executor/hypervisor/libvirt/facts.js';
import { loadBinding } from '../../executor/hypervisor/libvirt/binding.js';

const nova = `<domain type='kvm'>
  <name>instance-0000002a</name>
  <uuid>0b8d6c1e-7f5a-4a39-9d0e-2c4b6a8e1f00</uuid>
  <metadata>
    <placement xmlns="https://rebalancer.dev/xmlns/1"><serverGroup> web-anti </serverGroup><pinned>true</pinned></placement>
    <nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1"><nova:name>web-1</nova:name></nova:instance>
  </metadata>
  <memory unit='GiB'>4</memory>
  <vcpu placement='static'>2</vcpu>
  <cpu mode='host-passthrough' check='none'/>
  <devices>
    <disk type='file' device='disk'><source file='/var/lib/nova/instances/0b8d/disk'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><source file='/var/lib/nova/instances/0b8d/disk.config'/><target dev='hdd' bus='ide'/><readonly/></disk>
    <disk type='network' device='disk'><source protocol='rbd' name='volumes/volume-1'/><target dev='vdb' bus='virtio'/></disk>
    <disk type='file' device='disk'><source file='/mnt/shared/images/data.qcow2'/><target dev='vdc' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
  </devices>
</domain>`;

describe('parseDomainXml', () => {
  it('reads sizes, cpu mode, metadata in the product namespace, and classifies disks', () => {
    const d = parseDomainXml(nova, { sharedPaths: ['/mnt/shared'] });
    expect(d).toMatchObject({
      id: '0b8d6c1e-7f5a-4a39-9d0e-2c4b6a8e1f00',
      name: 'instance-0000002a',
      vcpus: 2,
      memoryMb: 4096,
      cpuMode: 'host-passthrough',
      cpuModel: null,
      serverGroup: 'web-anti',
      pinned: true,
      configDrive: true,
      cdrom: false,
    });
    expect(d.disks.map((k) => [k.target, k.storage, k.device, k.readonly, k.source])).toEqual([
      ['vda', 'local', 'disk', false, '/var/lib/nova/instances/0b8d/disk'],
      ['hdd', 'local', 'cdrom', true, '/var/lib/nova/instances/0b8d/disk.config'],
      ['vdb', 'volume', 'disk', false, 'volumes/volume-1'],
      ['vdc', 'shared', 'disk', false, '/mnt/shared/images/data.qcow2'],
      ['hdc', 'local', 'cdrom', true, null],
    ]);
  });

  it('sees an attached ISO as a CD-ROM, KiB memory by default, custom cpu models, no metadata', () => {
    const d = parseDomainXml(`<domain><name>a</name><uuid>u</uuid><memory>524288</memory><vcpu>1</vcpu>
      <cpu mode='custom' match='exact'><model fallback='allow'>Skylake-Server</model></cpu>
      <metadata><other xmlns="urn:x"><serverGroup>ignored</serverGroup></other></metadata>
      <devices><disk type='file' device='cdrom'><source file='/isos/debian.iso'/><target dev='sda'/></disk></devices></domain>`);
    expect(d).toMatchObject({
      memoryMb: 512,
      cpuMode: 'custom',
      cpuModel: 'Skylake-Server',
      cdrom: true,
      configDrive: false,
      serverGroup: null,
      pinned: false,
    });
  });

  it('does not treat a path that merely starts like a shared dir as shared', () => {
    const d = parseDomainXml(
      `<domain><name>a</name><uuid>u</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu><devices>
      <disk type='file' device='disk'><source file='/mnt/shared2/x.qcow2'/><target dev='vda'/></disk></devices></domain>`,
      { sharedPaths: ['/mnt/shared/'] },
    );
    expect(d.disks[0]!.storage).toBe('local');
  });

  it('rejects a document that is not a domain, showing what it got', () => {
    expect(() => parseDomainXml('<network><name>x</name></network>')).toThrow(/not a domain XML document: <network>/);
  });
});

describe('libvirt helpers', () => {
  it('reads the host CPU model from capabilities', () => {
    expect(
      parseHostCpuModel(
        '<capabilities><host><uuid>x</uuid><cpu><arch>x86_64</arch><model>Icelake-Server</model></cpu></host></capabilities>',
      ),
    ).toBe('Icelake-Server');
  });

  it.each([
    [
      { code: 42, domain: 10, message: "Domain not found: no domain with matching uuid 'x'" },
      false,
      'NOT_FOUND',
      false,
    ],
    [
      { code: 78, domain: 10, message: "operation aborted: job 'migration out' canceled by client" },
      true,
      'ABORTED',
      false,
    ],
    [
      { code: 38, domain: 7, message: "Failed to connect socket to '/x/sock': Connection refused" },
      false,
      'HOST_UNREACHABLE',
      true,
    ],
    [
      { code: 38, domain: 10, message: "unable to connect to server at '10.201.0.2:16509': Connection refused" },
      true,
      'HOST_UNREACHABLE',
      true,
    ],
    [
      { code: 55, domain: 10, message: 'Requested operation is not valid: domain is not running' },
      false,
      'NOT_FOUND',
      false,
    ],
    [
      { code: 1, domain: 10, message: 'internal error: unable to execute QEMU command' },
      true,
      'MIGRATION_FAILED',
      false,
    ],
    [{ code: 1, domain: 10, message: 'internal error: something else' }, false, 'INTERNAL', false],
    [
      { code: 68, domain: 10, message: 'Timed out during operation: cannot acquire state change lock' },
      false,
      'BUSY',
      true,
    ],
  ])('maps %o (migration call: %s) to %s', (err, migration, code, transient) => {
    const e = toHypervisorError(err, 'op', migration);
    expect(e).toMatchObject({ code, transient });
    expect(e.message).toBe(`op: ${err.message}`);
  });

  it('builds peer-to-peer migration flags per mode', () => {
    const base = VIR_MIGRATE.LIVE | VIR_MIGRATE.PEER2PEER | VIR_MIGRATE.PERSIST_DEST | VIR_MIGRATE.UNDEFINE_SOURCE;
    const req = { domainId: 'u', domainName: 'n', from: 'a', to: 'b' };
    expect(migrationFlags({ ...req, mode: 'live' })).toBe(base);
    expect(migrationFlags({ ...req, mode: 'block', autoConverge: true, postCopy: true })).toBe(
      base | VIR_MIGRATE.NON_SHARED_DISK | VIR_MIGRATE.AUTO_CONVERGE | VIR_MIGRATE.POSTCOPY,
    );
  });

  it('converts job statistics: dirty rate from pages to bytes', () => {
    expect(
      progressFromJobStats(
        {
          type: 'unbounded',
          time_elapsed: 5049,
          data_total: 100,
          data_processed: 40,
          data_remaining: 60,
          memory_dirty_rate: 10,
          memory_page_size: 4096,
          downtime: 300,
        },
        false,
      ),
    ).toEqual({
      type: 'unbounded',
      elapsedMs: 5049,
      dataTotal: 100,
      dataProcessed: 40,
      dataRemaining: 60,
      memDirtyRateBps: 40960,
      downtimeMs: 300,
      postCopy: false,
    });
    expect(progressFromJobStats({ type: 'none' }, false)).toMatchObject({ type: 'none', dataProcessed: 0 });
    expect(versionNumber('7.2.22')).toBe(7_002_022);
  });

  it('says how to build the binding when it is missing', () => {
    expect(() => loadBinding('/nonexistent/libvirt')).toThrow(
      expect.objectContaining({
        code: 'UNSUPPORTED',
        message: expect.stringContaining(
          'libvirt binding not available: install libvirt-dev and pkg-config (Debian), then run `npm run build:binding` (nothing at /nonexistent/libvirt)',
        ),
      }),
    );
  });
});
