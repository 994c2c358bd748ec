/**
 * Before a stored plan runs: it must still hold against a fresh inventory (VMs moved, hosts down,
 * capacity taken since planning) and a drain's hosts must be in maintenance for it (claimed again
 * when an operator ended the maintenance meanwhile). Shared by the API and `rebalancer execute`.
 */
import type { Clock } from '../../executor/clock.js';
import type { PlanRecord } from '../../executor/store.js';
import type { MaintenanceRecord, ServiceStore } from '../store/port.js';
import { verifyPlan, type Inventory, type Violation } from '../../planner/index.js';

export type ReverifyResult =
  | { ok: true }
  | { ok: false; reason: 'stale'; violations: Violation[] }
  | { ok: false; reason: 'held'; heldBy: MaintenanceRecord[] };

export async function reverifyStoredPlan(
  store: ServiceStore,
  clock: Clock,
  inventory: Inventory,
  record: PlanRecord,
  timeoutPerGiBSeconds: number | undefined,
): Promise<ReverifyResult> {
  const maintenance = await store.listMaintenance();
  const avoidHosts = maintenance.filter((m) => m.planId !== record.id).map((m) => m.host);
  const check = verifyPlan(inventory, record.plan, { avoidHosts, timeoutPerGiBSeconds });
  if (!check.ok) return { ok: false, reason: 'stale', violations: check.violations };
  const drained = record.plan.goal === 'drain' ? (record.plan.target.hosts ?? []) : [];
  const mine = new Set(maintenance.filter((m) => m.planId === record.id).map((m) => m.host));
  const missing = drained.filter((h) => !mine.has(h));
  if (!missing.length) return { ok: true };
  const claim = await store.claimMaintenance(missing, { reason: 'drain', planId: record.id, at: clock.now() });
  return claim.ok ? { ok: true } : { ok: false, reason: 'held', heldBy: claim.heldBy };
}
