/** Shared pieces of the nightly tests: a real in-memory store, plans and a recording harness. */
import pino from 'pino';
import type { ServiceStore } from '../../src/store/port.js';
import type { Move, Plan } from '../../planner/index.js';
import { NightlyConfigSchema, type NightlyConfigInput } from '../../src/nightly/config.js';
import type { ExecuteOptions, NightlyBalanceRequest, NightlyDeps } from '../../src/nightly/types.js';
import { openStore } from '../../src/store/sqlite.js';

export const HOUR = 3_600_000;

export function move(instance: string, k: number): Move {
  return {
    instance,
    name: instance,
    from: 'h1',
    to: 'h2',
    mode: 'live',
    wave: k,
    estimatedSeconds: 10,
    timeoutSeconds: 1600,
    gib: 2,
  };
}

export function balancePlan(instances: string[], cv = 0.3): Plan {
  const stats = { hosts: 2, cpuAlloc: { max: 0.5, cv }, memAlloc: { max: 0.5, cv }, cpuUsage: null };
  return {
    goal: 'balance',
    target: { cells: ['cell1'] },
    feasible: true,
    moves: instances.map(move),
    unplaced: [],
    metrics: {
      before: { cell1: stats },
      after: { cell1: stats },
      moves: instances.length,
      gibToCopy: 2 * instances.length,
      waves: instances.length,
      method: 'test',
      objective: 0,
      lowerBound: 0,
      gap: 0,
    },
  };
}

export interface Harness {
  deps: NightlyDeps;
  store: ServiceStore;
  requests: NightlyBalanceRequest[];
  executions: Array<{ planId: string; options: ExecuteOptions }>;
  clock: { t: number; now(): number };
}

/**
 * Nightly dependencies over a real SQLite store. `plan` answers each planning request;
 * `execute` (default: nothing moves) plays the executor.
 */
export function harness(
  config: NightlyConfigInput,
  opts: {
    plan?: (req: NightlyBalanceRequest) => Plan;
    execute?: (h: Harness, planId: string, options: ExecuteOptions) => Promise<void>;
    drainRunning?: () => boolean;
    now?: number;
  } = {},
): Harness {
  const store = openStore(':memory:');
  const clock = {
    t: opts.now ?? 0,
    now() {
      return this.t;
    },
  };
  const h: Harness = { store, requests: [], executions: [], clock, deps: undefined as unknown as NightlyDeps };
  h.deps = {
    cron: { schedule: () => ({ stop() {} }) },
    store,
    clock,
    planBalance: async (req) => {
      h.requests.push(req);
      return { plan: (opts.plan ?? (() => balancePlan(['vm-a', 'vm-b'])))(req), frozenInstances: [] };
    },
    storePlan: async ({ plan }) => (await store.createPlan({ plan, source: 'nightly', at: clock.now() })).id,
    executePlan: async (planId, options) => {
      h.executions.push({ planId, options });
      await opts.execute?.(h, planId, options);
    },
    isDrainRunning: opts.drainRunning ?? (() => false),
    log: pino({ level: 'silent' }),
    config: NightlyConfigSchema.parse(config),
  };
  return h;
}

/** Plays the executor: moves one by one, each taking an hour, none starting after the window's end. */
export async function hourPerMove(h: Harness, planId: string, options: ExecuteOptions): Promise<void> {
  for (const m of await h.store.listMoves(planId)) {
    if (h.clock.now() >= options.deadline) break;
    await h.store.updateMove(planId, m.index, { state: 'migrating', startedAt: h.clock.t }, h.clock.t);
    h.clock.t += HOUR;
    await h.store.updateMove(planId, m.index, { state: 'succeeded', endedAt: h.clock.t }, h.clock.t);
  }
  await h.store.setPlanStatus(planId, 'succeeded', h.clock.t);
}
