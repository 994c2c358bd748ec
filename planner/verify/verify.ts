/**
 * The plan verifier: an implementation of the spec's hard rules that shares no code with the
 * strategies, so a planner bug cannot hide behind the same bug here. It replays the plan wave by
 * wave and reports every violation (wave, stable code, instance, host, numbers in the message).
 * Linear in hosts + instances + moves.
 *
 * Codes, per move: UNKNOWN_INSTANCE, UNKNOWN_HOST, DUPLICATE_IN_WAVE, FROM_MISMATCH, PINNED,
 * READONLY_DEVICE, MODE, TIMEOUT, GIB, ESTIMATE, SAME_HOST, CELL, TARGET_DISABLED, TARGET_DOWN,
 * TARGET_DRAINED, TARGET_AVOIDED, EXCLUDED, HYPERVISOR_TYPE, HYPERVISOR_VERSION, CPU. Per wave:
 * WAVE_NUMBER, WAVE_GAP, CAPACITY (capacity.ts states the rule for hosts already over capacity),
 * ANTI_AFFINITY. End of plan: AFFINITY, FEASIBLE_FLAG, DRAIN_UNLISTED, UNPLACED_BUT_MOVED,
 * UNPLACED_DUPLICATE, OUTSIDE_TARGET (balance), METRICS_MOVES, METRICS_EXTRA (drain).
 */
import type { Inventory } from '../model/inventory.js';
import type { Move, Plan } from '../model/plan.js';
import type { VerifyResult } from '../model/verify.js';
import { createContext, report, type VerifyContext, type VerifyOptions } from './context.js';
import { bucketByWave } from './waves.js';
import { checkMove } from './move-rules.js';
import { createCapacityTracker, type TrackedMove } from './capacity.js';
import { createGroupTracker } from './server-groups.js';
import { checkBookkeeping } from './bookkeeping.js';

export type { VerifyOptions } from './context.js';

/**
 * Resolves a wave's moves against the current positions: unknown instances or hosts, a second
 * move of one instance in the wave, and a `from` that is not where the instance is are reported
 * and left out of the replay (the first move of an instance in a wave is replayed from where
 * the instance really is).
 */
function resolveWave(ctx: VerifyContext, moves: readonly Move[], position: Map<string, string>): TrackedMove[] {
  const out: TrackedMove[] = [];
  const movedThisWave = new Set<string>();
  for (const m of moves) {
    const inst = ctx.instances.get(m.instance);
    const to = ctx.hostIndex.get(m.to);
    const base = { wave: m.wave, instance: m.instance, host: m.to };
    if (!inst) {
      report(ctx, { ...base, code: 'UNKNOWN_INSTANCE', message: `move names unknown instance ${m.instance}` });
      continue;
    }
    if (to === undefined) {
      report(ctx, { ...base, code: 'UNKNOWN_HOST', message: `instance ${inst.name} moves to unknown host ${m.to}` });
      continue;
    }
    if (movedThisWave.has(inst.id)) {
      report(ctx, {
        ...base,
        code: 'DUPLICATE_IN_WAVE',
        message: `instance ${inst.name} moves more than once in wave ${m.wave}`,
      });
      continue;
    }
    movedThisWave.add(inst.id);
    const at = position.get(inst.id) ?? inst.host;
    if (m.from !== at) {
      report(ctx, {
        ...base,
        code: 'FROM_MISMATCH',
        message: `instance ${inst.name} moves from ${m.from} in wave ${m.wave}, but it is on ${at} then`,
      });
    }
    const from = ctx.hostIndex.get(at);
    if (from === undefined) {
      report(ctx, { ...base, code: 'UNKNOWN_HOST', message: `instance ${inst.name} is on unknown host ${at}` });
      continue;
    }
    checkMove(ctx, { ...m, from: at }, inst, ctx.hosts[from], ctx.hosts[to]);
    out.push({ move: m, inst, from, to });
  }
  return out;
}

/** Re-checks every hard constraint of the spec wave by wave; never throws on a bad plan. */
export function verifyPlan(inventory: Inventory, plan: Plan, options: VerifyOptions = {}): VerifyResult {
  const ctx = createContext(inventory, plan, options);
  const capacity = createCapacityTracker(ctx);
  const groups = createGroupTracker(ctx);
  const position = new Map<string, string>();
  for (const moves of bucketByWave(ctx, plan.moves)) {
    const wave = moves[0].wave;
    const tracked = resolveWave(ctx, moves, position);
    capacity.wave(wave, tracked);
    groups.wave(wave, tracked);
    for (const t of tracked) position.set(t.inst.id, ctx.hosts[t.to].name);
  }
  groups.finish();
  checkBookkeeping(ctx, plan, position);
  return { ok: ctx.violations.length === 0, violations: ctx.violations };
}
