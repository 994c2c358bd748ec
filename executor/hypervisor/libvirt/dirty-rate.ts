/**
 * Memory dirty rates through libvirt (7.2+ with QEMU): virDomainStartDirtyRateCalc starts QEMU's
 * page-sampling measurement (libvirt's default mode; it reads a sample of guest pages twice and
 * counts those whose content changed), the result is read from the `dirtyrate.*` domain
 * statistics. Page sampling is what `virsh domdirtyrate-calc` does by default; the dirty-bitmap
 * mode was seen to crash QEMU 7.2 under TCG.
 */
import type { LvConnection, LvDomain } from './binding.js';
import { pinned } from './binding.js';

/** virDomainStatsTypes VIR_DOMAIN_STATS_DIRTYRATE. */
export const VIR_DOMAIN_STATS_DIRTYRATE = 1 << 9;
/** virConnectGetAllDomainStatsFlags VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE. */
const STATS_ACTIVE = 1;
/** virDomainDirtyRateStatus VIR_DOMAIN_DIRTYRATE_MEASURED. */
const MEASURED = 2;
const MEASURING = 1;

/** True when the binding has the dirty-rate call (patches/node-libvirt/05). */
export function canMeasureDirtyRate(dom: LvDomain): boolean {
  return typeof dom.startDirtyRateCalcAsync === 'function';
}

/** A domain with a migration (or another job) running is not measured: the copy itself would count. */
async function busy(dom: LvDomain): Promise<boolean> {
  const job = await dom.getJobInfoAsync().catch(() => null);
  return job !== null && (job.type === 'bounded' || job.type === 'unbounded');
}

/**
 * Starts a measurement over `seconds` on each domain of `ids` that runs and has no job; returns
 * the ids it was started for (others: not running, migrating, or unsupported by the host).
 */
export async function startDirtyRateCalc(conn: LvConnection, ids: string[], seconds: number): Promise<string[]> {
  const started = await Promise.all(
    ids.map(async (id) => {
      const dom = await conn.lookupDomainByUUIDAsync(id).catch(() => null);
      if (!dom || !canMeasureDirtyRate(dom)) return null;
      return pinned(dom, async () => {
        if (await busy(dom)) return null;
        const ok = await dom.startDirtyRateCalcAsync!(seconds, 0).catch(() => false);
        return ok === false ? null : id;
      });
    }),
  );
  return started.filter((id): id is string => id !== null);
}

export interface DirtyRateReading {
  /** Finished measurements, MiB/s by domain id. */
  rates: Map<string, number>;
  /** Domains whose measurement is still running. */
  measuring: string[];
}

/** Reads the dirty-rate statistics of the host's running domains, keeping those of `ids`. */
export async function readDirtyRates(conn: LvConnection, ids: string[]): Promise<DirtyRateReading> {
  const [stats, names] = await Promise.all([
    conn.getAllDomainStatsAsync(VIR_DOMAIN_STATS_DIRTYRATE, STATS_ACTIVE),
    Promise.all(
      ids.map(async (id) => {
        const dom = await conn.lookupDomainByUUIDAsync(id).catch(() => null);
        return dom ? { id, name: await pinned(dom, () => dom.getNameAsync()).catch(() => null) } : { id, name: null };
      }),
    ),
  ]);
  const reading: DirtyRateReading = { rates: new Map(), measuring: [] };
  for (const { id, name } of names) {
    const s = name === null ? undefined : stats[name];
    if (!s) continue;
    const rate = s['dirtyrate.megabytes_per_second'];
    if (s['dirtyrate.calc_status'] === MEASURED && typeof rate === 'number') reading.rates.set(id, rate);
    else if (s['dirtyrate.calc_status'] === MEASURING) reading.measuring.push(id);
  }
  return reading;
}
