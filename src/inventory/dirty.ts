/**
 * Memory dirty rates during collection: after the first sample a measurement is started on every
 * running domain of every reachable host (the hypervisor skips domains being migrated), it runs
 * while the collector waits for its CPU sample, and is read back with the second sample. Hosts
 * are handled in parallel (the collector's host concurrency), each call within the host timeout;
 * a host that cannot measure (old libvirt, error) leaves its domains' `dirtyRateMbps` unknown.
 */
import type { DomainFacts, Hypervisor } from '../../executor/hypervisor/types.js';
import { MBIT_PER_MIB } from '../../planner/index.js';
import { mapLimit, withTimeout } from './limit.js';

export interface DirtyRateOptions {
  hypervisor: Hypervisor;
  /** Measurement time; libvirt measures whole seconds, so it is rounded up (at least 1 s). */
  ms: number;
  concurrency: number;
  hostTimeoutMs: number;
  signal?: AbortSignal;
}

/** Per host (by index): the domains being measured, or null when none could be. */
export type Started = Array<string[] | null>;

/** Whole seconds libvirt measures for a requested time in ms. */
export const dirtyRateSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** Starts the measurements on the running domains of the hosts that answered (`domains` not null). */
export async function startDirtyRates(
  o: DirtyRateOptions,
  hosts: string[],
  domains: Array<DomainFacts[] | null>,
): Promise<Started> {
  return mapLimit(hosts, o.concurrency, async (host, k) => {
    const running = (domains[k] ?? []).filter((d) => d.state === 'running').map((d) => d.id);
    if (running.length === 0) return null;
    return quietly(o, `dirty-rate start on ${host}`, (s) =>
      o.hypervisor.startDirtyRateCalc(host, running, dirtyRateSeconds(o.ms), s),
    );
  });
}

/** Reads what was started, in Mbit/s (the inventory's unit) by domain id, per host. */
export async function readDirtyRates(
  o: DirtyRateOptions,
  hosts: string[],
  started: Started,
): Promise<Array<Map<string, number>>> {
  return mapLimit(hosts, o.concurrency, async (host, k) => {
    const ids = started[k];
    if (!ids || ids.length === 0) return new Map<string, number>();
    const mib = await quietly(o, `dirty rates of ${host}`, (s) => o.hypervisor.dirtyRates(host, ids, s));
    const out = new Map<string, number>();
    for (const [id, rate] of mib ?? []) out.set(id, Math.round(rate * MBIT_PER_MIB * 10) / 10);
    return out;
  });
}

/** Runs one host call within the host timeout; a failure means "not measured", not a down host. */
async function quietly<T>(o: DirtyRateOptions, what: string, fn: (s: AbortSignal) => Promise<T>): Promise<T | null> {
  try {
    return await withTimeout(what, o.hostTimeoutMs, o.signal, fn);
  } catch {
    if (o.signal?.aborted) throw o.signal.reason;
    return null;
  }
}
