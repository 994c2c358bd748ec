/**
 * Dirty-rate measurement of the simulated cluster, shaped like libvirt's: a measurement over
 * whole seconds is started per domain and read back once it is over, as integer MiB/s of the
 * domain's modelled dirty rate (`dirtyRateMbps`). Domains that are not running on the host or
 * have a migration job are not measured.
 */
import type { Clock } from '../../clock.js';
import type { Hypervisor } from '../types.js';
import type { createState } from './state.js';
import { MIB, mbpsToBps } from './types.js';

type State = ReturnType<typeof createState>;
type Meter = Pick<Hypervisor, 'startDirtyRateCalc' | 'dirtyRates'>;

export function createDirtyRateMeter(state: State, clock: Clock, migrating: (domainId: string) => boolean): Meter {
  /** Running and finished measurements: host and end time by domain id. */
  const calcs = new Map<string, { host: string; endsAt: number }>();
  return {
    async startDirtyRateCalc(host, domainIds, seconds) {
      state.reachable(host);
      const started: string[] = [];
      for (const id of domainIds) {
        const d = state.domains.get(id);
        if (!d || d.host !== host || d.state !== 'running' || migrating(id)) continue;
        calcs.set(id, { host, endsAt: clock.now() + Math.max(1, Math.round(seconds)) * 1000 });
        started.push(id);
      }
      return started;
    },
    async dirtyRates(host, domainIds, signal) {
      state.reachable(host);
      const mine = domainIds.filter((id) => calcs.get(id)?.host === host);
      const last = Math.max(0, ...mine.map((id) => calcs.get(id)!.endsAt));
      // as the libvirt driver: wait a little for measurements still running
      if (last > clock.now()) await clock.sleep(Math.min(last - clock.now(), 2000), signal);
      const rates = new Map<string, number>();
      for (const id of mine) {
        const d = state.domains.get(id);
        if (d && calcs.get(id)!.endsAt <= clock.now()) rates.set(id, Math.round(mbpsToBps(d.dirtyRateMbps) / MIB));
      }
      return rates;
    },
  };
}
