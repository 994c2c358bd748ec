/**
 * Execution metrics taken from the store, so they count what every process sharing it did and
 * survive restarts. Each scrape reads only what changed: plan counts the store keeps, the move
 * endings after the last one seen, and the moves in flight now.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  IN_FLIGHT_MOVE_STATES as IN_FLIGHT,
  PLAN_STATUSES,
  TERMINAL_MOVE_STATES as OUTCOMES,
  type ExecutorStore,
} from '../../../executor/store.js';
const GIB = 1024 ** 3;
const BATCH = 5000;

type Store = Pick<ExecutorStore, 'planTotals' | 'listMoveEndings' | 'countMoves' | 'listEvents'>;

/**
 * One run of `fn` at a time: callers while it runs share that run, so two collectors catching up
 * at once never read from the same cursor (an ending would count twice).
 */
function oneAtATime(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () =>
    (running ??= fn().finally(() => {
      running = null;
    }));
}

/** The first catch-up reads the history up to now; a failure is retried by the next scrape. */
function startCatchUp(catchUp: () => Promise<void>): void {
  catchUp().catch(() => undefined);
}

/** Registers the plan and migration metrics on `registry`; call once per registry. */
export function registerPlanMetrics(registry: Registry, store: Store): void {
  const registers = [registry];
  const moves = new Counter({
    name: 'rebalancer_moves_total',
    help: 'Finished migrations by outcome',
    labelNames: ['outcome'],
    registers,
    collect: () => catchUp(),
  });
  const duration = new Histogram({
    name: 'rebalancer_migration_duration_seconds',
    help: 'Duration of succeeded migrations',
    buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers,
    collect: () => catchUp(),
  });
  const bytes = new Counter({
    name: 'rebalancer_migrated_bytes_total',
    help: 'Bytes copied by succeeded migrations (memory, plus disk for block)',
    registers,
    collect: () => catchUp(),
  });
  const timeouts = new Counter({
    name: 'rebalancer_migration_timeouts_total',
    help: 'Migrations aborted at their completion timeout',
    registers,
    collect: () => catchUp(),
  });
  for (const outcome of OUTCOMES) moves.inc({ outcome }, 0);

  // every one of them catches up first: whichever prom-client asks first sees all new endings
  let cursor = 0;
  const catchUp = oneAtATime(async () => {
    for (
      let batch = await store.listMoveEndings(cursor, BATCH);
      batch.length;
      batch = await store.listMoveEndings(cursor, BATCH)
    ) {
      for (const { id, state, record } of batch) {
        cursor = id;
        moves.inc({ outcome: state });
        if (state === 'timed_out') timeouts.inc();
        if (state !== 'succeeded') continue;
        bytes.inc(Math.round(record.move.gib * GIB));
        if (record.startedAt !== null && record.endedAt !== null)
          duration.observe((record.endedAt - record.startedAt) / 1000);
      }
    }
  });
  startCatchUp(catchUp);

  registerGoalMetric(registry, store);
  new Gauge({
    name: 'rebalancer_plans',
    help: 'Stored plans by status',
    labelNames: ['status'],
    registers,
    async collect() {
      const { byStatus } = await store.planTotals();
      for (const status of PLAN_STATUSES) this.set({ status }, byStatus[status]);
    },
  });
  new Gauge({
    name: 'rebalancer_migrations_in_flight',
    help: 'Migrations running now',
    registers,
    async collect() {
      this.set(await store.countMoves(IN_FLIGHT));
    },
  });
  new Counter({
    name: 'rebalancer_replans_total',
    help: 'Plans created to replace a failed plan',
    registers,
    async collect() {
      const { replans } = await store.planTotals();
      this.reset();
      this.inc(replans);
    },
  });
}

/** Goals checked after execution (`plan.outcome` events), by goal and whether they were met. */
function registerGoalMetric(registry: Registry, store: Store): void {
  let cursor = 0;
  const goals: Counter = new Counter({
    name: 'rebalancer_plan_goals_total',
    help: 'Plans whose goal was checked after execution, by goal and whether it was met',
    labelNames: ['goal', 'met'],
    registers: [registry],
    collect: () => catchUp(),
  });
  for (const goal of ['drain', 'balance']) for (const met of ['true', 'false']) goals.inc({ goal, met }, 0);
  const catchUp = oneAtATime(async () => {
    for (let batch = await store.listEvents({ afterId: cursor, limit: BATCH }); batch.length; ) {
      for (const e of batch) {
        cursor = e.id;
        const o = e.data as { goal?: string; met?: boolean } | null;
        if (e.type === 'plan.outcome' && (o?.goal === 'drain' || o?.goal === 'balance'))
          goals.inc({ goal: o.goal, met: String(o.met === true) });
      }
      batch = await store.listEvents({ afterId: cursor, limit: BATCH });
    }
  });
  startCatchUp(catchUp);
}
