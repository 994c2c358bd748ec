/**
 * Execution metrics derived from the store at scrape time: they survive restarts and need no
 * hook in the executor. Counters stay monotonic because plans and moves are never deleted.
 */
import type { ExecutorStore, MoveRecord, PlanStatus } from '../../../executor/store.js';
import type { Registry } from './registry.js';

const PLAN_STATUSES: PlanStatus[] = [
  'planned',
  'running',
  'cancelling',
  'succeeded',
  'failed',
  'cancelled',
  'superseded',
];
const OUTCOMES = ['succeeded', 'skipped', 'failed', 'timed_out', 'cancelled'] as const;
const IN_FLIGHT = new Set(['prechecking', 'migrating', 'verifying']);
const GIB = 1024 ** 3;

/** Registers the plan and migration metrics, computed from `store` on every scrape. */
export function registerPlanMetrics(registry: Registry, store: ExecutorStore): void {
  const plans = registry.gauge('rebalancer_plans', 'Stored plans by status');
  const moves = registry.counter('rebalancer_moves_total', 'Finished migrations by outcome');
  const duration = registry.histogram(
    'rebalancer_migration_duration_seconds',
    'Duration of succeeded migrations',
    [5, 15, 30, 60, 120, 300, 600, 1800, 3600],
  );
  const bytes = registry.counter(
    'rebalancer_migrated_bytes_total',
    'Bytes copied by succeeded migrations (memory, plus disk for block)',
  );
  const inFlight = registry.gauge('rebalancer_migrations_in_flight', 'Migrations running now');
  const timeouts = registry.counter(
    'rebalancer_migration_timeouts_total',
    'Migrations aborted at their completion timeout',
  );
  const replans = registry.counter('rebalancer_replans_total', 'Plans created to replace a failed plan');

  registry.collect(() => {
    const all = store.listPlans({ limit: 1_000_000 });
    const byStatus = new Map<string, number>(PLAN_STATUSES.map((s) => [s, 0]));
    for (const p of all) byStatus.set(p.status, (byStatus.get(p.status) ?? 0) + 1);
    for (const [status, n] of byStatus) plans.set({ status }, n);
    const records: MoveRecord[] = all.flatMap((p) => store.listMoves(p.id));
    const outcome = new Map<string, number>(OUTCOMES.map((o) => [o, 0]));
    duration.reset();
    let copied = 0;
    for (const m of records) {
      if (outcome.has(m.state)) outcome.set(m.state, outcome.get(m.state)! + 1);
      if (m.state !== 'succeeded') continue;
      copied += m.move.gib * GIB;
      if (m.startedAt !== null && m.endedAt !== null) duration.observe({}, (m.endedAt - m.startedAt) / 1000);
    }
    for (const [o, n] of outcome) moves.set({ outcome: o }, n);
    bytes.set({}, Math.round(copied));
    inFlight.set({}, records.filter((m) => IN_FLIGHT.has(m.state)).length);
    timeouts.set({}, outcome.get('timed_out') ?? 0);
    replans.set({}, all.filter((p) => p.supersedes !== null).length);
  });
}
