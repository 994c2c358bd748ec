/**
 * Nightly balancing: on the cron schedule, plan a balance of each cell (cool-down instances
 * frozen), store the plan, and in `execute` mode run it with no move starting after the window
 * ends. Every run is recorded with what it did and why. Skips while a drain is running.
 */
import type { MoveState } from '../../executor/store.js';
import { imbalanceOf, type Plan } from '../../planner/index.js';
import type { NightlyDeps, NightlyPlanned, NightlyResult } from './types.js';
import { nextWallTime } from './window.js';

export interface Nightly {
  /** Registers the cron job (no-op when the configuration disables nightly runs). */
  start(): void;
  stop(): void;
  /** One nightly run as of `now` (epoch ms); resolves with what it did, which is also stored. */
  runOnce(now?: number): Promise<NightlyResult>;
}

function errorOf(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'ERROR',
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}

function imbalance(plan: Plan): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cell, s] of Object.entries(plan.metrics.before)) out[cell] = imbalanceOf(s);
  return out;
}

async function countStates(deps: NightlyDeps, planId: string): Promise<Partial<Record<MoveState, number>>> {
  const out: Partial<Record<MoveState, number>> = {};
  for (const m of await deps.store.listMoves(planId)) out[m.state] = (out[m.state] ?? 0) + 1;
  return out;
}

async function balance(deps: NightlyDeps, now: number): Promise<NightlyResult> {
  const { config, store, log } = deps;
  const deadline = nextWallTime(now, config.windowEnd, config.timezone);
  let planned: NightlyPlanned;
  try {
    planned = await deps.planBalance({
      cells: config.cells,
      threshold: config.threshold,
      maxMoves: config.maxMovesPerNight,
      windowSeconds: Math.max(0, (deadline - now) / 1000),
    });
  } catch (err) {
    log.error({ err }, 'nightly balance planning failed');
    return { action: 'failed', stage: 'plan', error: errorOf(err) };
  }
  const { plan, frozenInstances: frozen } = planned;
  if (plan.moves.length === 0) {
    const cv = imbalance(plan);
    const below = Object.values(cv).every((v) => v < config.threshold);
    return {
      action: 'nothing-to-do',
      reason: below ? 'below-threshold' : 'no-useful-move',
      imbalance: cv,
      frozen: frozen.length,
    };
  }
  const planId = await deps.storePlan(planned);
  const base = { planId, moves: plan.moves.length, frozen: frozen.length, deadline: new Date(deadline).toISOString() };
  if (config.mode === 'report') return { action: 'planned', ...base };
  try {
    await deps.executePlan(planId, { deadline });
  } catch (err) {
    log.error({ err, planId }, 'nightly balance execution failed');
    return { action: 'failed', stage: 'execute', error: errorOf(err), planId };
  }
  const status = (await store.getPlan(planId))?.status ?? 'unknown';
  return { action: 'executed', ...base, status, outcomes: await countStates(deps, planId) };
}

export function createNightly(deps: NightlyDeps): Nightly {
  const { config, log, store } = deps;
  let task: { stop(): unknown } | null = null;
  let running = false;

  async function decide(now: number): Promise<NightlyResult> {
    if (running) return { action: 'skipped', reason: 'already-running' };
    running = true;
    try {
      if (await deps.isDrainRunning()) return { action: 'skipped', reason: 'drain-running' };
      return await balance(deps, now);
    } finally {
      running = false;
    }
  }

  async function runOnce(now = deps.clock.now()): Promise<NightlyResult> {
    const record = await store.startNightlyRun({ mode: config.mode, at: now });
    let result: NightlyResult;
    try {
      result = await decide(now);
    } catch (err) {
      result = { action: 'failed', stage: 'plan', error: errorOf(err) };
    }
    await store.finishNightlyRun(record.id, result, deps.clock.now());
    log.info({ runId: record.id, mode: config.mode, ...result }, 'nightly run finished');
    return result;
  }

  return {
    start() {
      if (!config.enabled || task) return;
      task = deps.cron.schedule(
        config.schedule,
        () => runOnce().catch((err) => log.error({ err }, 'nightly run failed')),
        {
          timezone: config.timezone,
          name: 'nightly-balance',
        },
      );
      log.info(
        { schedule: config.schedule, timezone: config.timezone, mode: config.mode },
        'nightly balancing scheduled',
      );
    },
    stop() {
      task?.stop();
      task = null;
    },
    runOnce,
  };
}
