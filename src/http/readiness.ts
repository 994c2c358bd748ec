/**
 * Readiness (`GET /readyz`): can this process serve plans now? Each dependency is asked, not
 * assumed: the store takes a committed write, every configured hypervisor host answers, and the
 * inventory snapshot in use is recent. Liveness (`/healthz`) stays a separate, cheaper question.
 */
import type { Clock } from '../../executor/clock.js';
import type { Hypervisor } from '../../executor/hypervisor/types.js';
import type { ExecutorStore } from '../../executor/store.js';
import type { CachedSource, InventorySource } from '../inventory/inventory-cache.js';

export const CHECK_STATES = ['ok', 'failing'] as const;
export type CheckState = (typeof CHECK_STATES)[number];

export interface Check {
  state: CheckState;
  /** Why it is failing, in the dependency's own words. */
  reason?: string;
}
export interface HostCheck extends Check {
  host: string;
}
export interface Readiness {
  ready: boolean;
  checks: {
    store: Check;
    /** Absent when the app runs on a given inventory without hypervisors (tests). */
    hypervisors?: Check & { hosts: HostCheck[] };
    inventory: Check & { ageSeconds: number | null; maxAgeSeconds: number };
  };
}

export interface ReadinessOptions {
  store: Pick<ExecutorStore, 'probeWrite' | 'lastWriteFault'>;
  inventory: InventorySource | CachedSource;
  /** Wall clock (snapshot ages). */
  clock: Clock;
  /** Age the snapshot is refreshed at; twice that is stale (a refresh may be under way). */
  maxAgeMs: number;
  cluster?: { hypervisor: Pick<Hypervisor, 'hostFacts'>; hosts: readonly { name: string }[] };
  /** How long each host may take to answer. @default 3000 */
  hostTimeoutMs?: number;
}

/** How long a failed write keeps the store failing when no later write succeeds. */
const FAULT_MEMORY_MS = 60_000;

export type ReadinessCheck = () => Promise<Readiness>;

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function checkStore(store: ReadinessOptions['store'], now: number): Promise<Check> {
  try {
    await store.probeWrite(now);
  } catch (err) {
    return { state: 'failing', reason: reasonOf(err) };
  }
  // a probe is small: a plan that did not fit says more, for a while or until a write succeeds
  const fault = await store.lastWriteFault();
  if (fault && now - fault.at < FAULT_MEMORY_MS) return { state: 'failing', reason: fault.reason };
  return { state: 'ok' };
}

async function checkHosts(o: NonNullable<ReadinessOptions['cluster']>, timeoutMs: number) {
  const hosts = await Promise.all(
    o.hosts.map(async ({ name: host }): Promise<HostCheck> => {
      try {
        await o.hypervisor.hostFacts(host, AbortSignal.timeout(timeoutMs));
        return { host, state: 'ok' };
      } catch (err) {
        return { host, state: 'failing', reason: reasonOf(err) };
      }
    }),
  );
  const down = hosts.filter((h) => h.state !== 'ok').map((h) => h.host);
  const state: CheckState = down.length ? 'failing' : 'ok';
  return { state, ...(down.length ? { reason: `not answering: ${down.join(', ')}` } : {}), hosts };
}

async function checkInventory(o: ReadinessOptions): Promise<Readiness['checks']['inventory']> {
  const maxAgeSeconds = o.maxAgeMs / 1000;
  try {
    await o.inventory(); // serves the snapshot in use (and starts a refresh when it is old)
  } catch (err) {
    return { state: 'failing', reason: reasonOf(err), ageSeconds: null, maxAgeSeconds };
  }
  if (!('snapshot' in o.inventory)) return { state: 'ok', ageSeconds: null, maxAgeSeconds };
  const { at, lastError } = o.inventory.snapshot();
  const ageSeconds = at === null ? null : Math.max(0, (o.clock.now() - at) / 1000);
  if (ageSeconds !== null && ageSeconds <= 2 * maxAgeSeconds) return { state: 'ok', ageSeconds, maxAgeSeconds };
  const reason = lastError ? `refresh failed: ${reasonOf(lastError)}` : `older than ${2 * maxAgeSeconds} s`;
  return { state: 'failing', reason, ageSeconds, maxAgeSeconds };
}

export function readinessCheck(o: ReadinessOptions): ReadinessCheck {
  return async () => {
    const [hypervisors, inventory] = await Promise.all([
      o.cluster ? checkHosts(o.cluster, o.hostTimeoutMs ?? 3000) : undefined,
      checkInventory(o),
    ]);
    const store = await checkStore(o.store, o.clock.now());
    const checks = { store, ...(hypervisors ? { hypervisors } : {}), inventory };
    return { ready: Object.values(checks).every((c) => c.state === 'ok'), checks };
  };
}
