/**
 * Guest CPU comparison on a host's own hypervisor: virConnectCompareHypervisorCPU (what QEMU/KVM
 * on that host can provide for the guest's virt type), falling back to virConnectCompareCPU (the
 * host CPU itself) where the daemon or binding lacks the former. Host-model guests that are not
 * running yet are compared as their host expands host-model (its domain capabilities).
 */
import { HypervisorError } from '../errors.js';
import type { CpuVerdict, DomainFacts, GuestCpu } from '../types.js';
import type { LvConnection } from './binding.js';
import { hostModelCpu } from './domain-xml.js';

/** VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE: an incompatible CPU fails with libvirt's reason. */
const FAIL_INCOMPATIBLE = 1;
/** virErrorNumber values. */
const VIR_ERR_NO_SUPPORT = 3;
const VIR_ERR_OPERATION_UNSUPPORTED = 84;
const VIR_ERR_CPU_INCOMPATIBLE = 91;

type LvError = { code?: number; message?: string };

function verdictOf(run: () => Promise<number>): Promise<CpuVerdict | 'unsupported'> {
  return run().then(
    (result) => (result > 0 ? { compatible: true, reason: null } : { compatible: false, reason: 'incompatible' }),
    (err: LvError) => {
      if (err?.code === VIR_ERR_CPU_INCOMPATIBLE)
        return {
          compatible: false,
          reason: (err.message ?? 'incompatible').replace(/^the CPU is incompatible with host CPU: /, ''),
        };
      if (err?.code === VIR_ERR_NO_SUPPORT || err?.code === VIR_ERR_OPERATION_UNSUPPORTED) return 'unsupported';
      throw err;
    },
  );
}

/** Asks the connection's host whether it can run `cpu`. */
export async function compareGuestCpu(conn: LvConnection, cpu: GuestCpu): Promise<CpuVerdict> {
  if (conn.compareHypervisorCPUAsync) {
    const v = await verdictOf(() =>
      conn.compareHypervisorCPUAsync!(null, cpu.arch, null, cpu.virtType, cpu.xml, FAIL_INCOMPATIBLE),
    );
    if (v !== 'unsupported') return v;
  }
  if (conn.compareCPUFlagsAsync) {
    const v = await verdictOf(() => conn.compareCPUFlagsAsync!(cpu.xml, FAIL_INCOMPATIBLE));
    if (v !== 'unsupported') return v;
  }
  throw new HypervisorError('UNSUPPORTED', 'the host cannot compare guest CPUs (libvirt or binding too old)', false);
}

/**
 * Fills `guestCpu` of host-model domains that were not expanded (not running) from the host's
 * domain capabilities, one call per virt type; left null when the host cannot say.
 */
export async function expandHostModel(conn: LvConnection, domains: DomainFacts[]): Promise<DomainFacts[]> {
  const byType = new Map<string, Promise<string | null>>();
  const expansion = (virtType: string) => {
    let p = byType.get(virtType);
    if (!p) {
      p = conn.getDomainCapabilitiesAsync
        ? conn.getDomainCapabilitiesAsync(null, null, null, virtType, 0).then(hostModelCpu, () => null)
        : Promise.resolve(null);
      byType.set(virtType, p);
    }
    return p;
  };
  return Promise.all(
    domains.map(async (d) => {
      if (d.cpuMode !== 'host-model' || d.guestCpu) return d;
      const virtType = d.virtType ?? 'kvm';
      const xml = await expansion(virtType);
      return xml ? { ...d, guestCpu: { xml, virtType, arch: null } } : d;
    }),
  );
}
