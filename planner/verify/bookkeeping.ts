/**
 * End-of-plan bookkeeping: a drain's `feasible` flag and `unplaced` list agree with the moves,
 * unplaced entries name real instances, a balance stays inside its target cells, and the
 * metrics count the moves (and, for a drain that makes room, the extra moves).
 */
import type { Plan } from '../model/plan.js';
import { report, type VerifyContext } from './context.js';

function checkUnplacedKnown(ctx: VerifyContext, plan: Plan): void {
  const seen = new Set<string>();
  for (const u of plan.unplaced) {
    if (!ctx.instances.has(u.instance)) {
      report(ctx, {
        wave: null,
        code: 'UNKNOWN_INSTANCE',
        instance: u.instance,
        message: `unplaced entry names unknown instance ${u.instance}`,
      });
    } else if (seen.has(u.instance)) {
      report(ctx, {
        wave: null,
        code: 'UNPLACED_DUPLICATE',
        instance: u.instance,
        message: `instance ${u.instance} is listed twice in unplaced`,
      });
    }
    seen.add(u.instance);
  }
}

/**
 * Drain: feasible === true iff every instance of a drained host ends elsewhere; each one that
 * stays is listed in `unplaced`; none is both moved away and unplaced.
 */
function checkDrain(ctx: VerifyContext, plan: Plan, finalHost: ReadonlyMap<string, string>): void {
  const unplaced = new Set(plan.unplaced.map((u) => u.instance));
  let stranded = 0;
  for (const inst of ctx.onDrained) {
    const end = finalHost.get(inst.id) ?? inst.host;
    const left = !ctx.drained.has(end);
    if (!left) stranded++;
    if (!left && !unplaced.has(inst.id)) {
      report(ctx, {
        wave: null,
        code: 'DRAIN_UNLISTED',
        instance: inst.id,
        host: end,
        message: `instance ${inst.name} stays on drained host ${end} but is not listed in unplaced`,
      });
    }
    if (left && unplaced.has(inst.id)) {
      report(ctx, {
        wave: null,
        code: 'UNPLACED_BUT_MOVED',
        instance: inst.id,
        host: end,
        message: `instance ${inst.name} leaves drained host ${inst.host} for ${end} yet is listed in unplaced`,
      });
    }
  }
  if (plan.feasible !== (stranded === 0)) {
    report(ctx, {
      wave: null,
      code: 'FEASIBLE_FLAG',
      message: `feasible is ${plan.feasible} but ${stranded} instance(s) remain on drained hosts`,
    });
  }
  for (const h of ctx.drained) {
    if (!ctx.hostIndex.has(h))
      report(ctx, {
        wave: null,
        code: 'UNKNOWN_HOST',
        host: h,
        message: `drain target ${h} is not a host of the inventory`,
      });
  }
}

/**
 * Drain that makes room: `metrics.extraMoves` / `extraGib`, when given, count the moves of
 * instances whose inventory host is not drained, and the GiB those moves copy.
 */
function checkExtra(ctx: VerifyContext, plan: Plan): void {
  const { extraMoves, extraGib } = plan.metrics ?? {};
  if (extraMoves === undefined && extraGib === undefined) return;
  let n = 0;
  let gib = 0;
  for (const m of plan.moves) {
    const inst = ctx.instances.get(m.instance);
    if (!inst || ctx.drained.has(inst.host)) continue;
    n++;
    gib += m.gib;
  }
  if (extraMoves !== n) {
    report(ctx, {
      wave: null,
      code: 'METRICS_EXTRA',
      message: `metrics.extraMoves is ${extraMoves}, the plan moves ${n} instance(s) that are not on a drained host`,
    });
  }
  if (extraGib === undefined || Math.abs(extraGib - gib) > 0.005 + 1e-9 * gib) {
    report(ctx, {
      wave: null,
      code: 'METRICS_EXTRA',
      message: `metrics.extraGib is ${extraGib}, the moves of instances not on a drained host copy ${gib} GiB`,
    });
  }
}

function checkBalanceCells(ctx: VerifyContext, plan: Plan): void {
  const cells = plan.target.cells;
  if (!cells || cells.length === 0) return;
  const allowed = new Set(cells);
  for (const m of plan.moves) {
    const inst = ctx.instances.get(m.instance);
    const home = inst && ctx.hosts[ctx.hostIndex.get(inst.host) ?? -1];
    if (home && !allowed.has(home.cell)) {
      report(ctx, {
        wave: m.wave,
        code: 'OUTSIDE_TARGET',
        instance: m.instance,
        host: m.to,
        message: `instance ${inst.name} of cell ${home.cell} moves, but the plan balances ${cells.join(', ')} only`,
      });
    }
  }
}

export function checkBookkeeping(ctx: VerifyContext, plan: Plan, finalHost: ReadonlyMap<string, string>): void {
  checkUnplacedKnown(ctx, plan);
  if (plan.goal === 'drain') {
    checkDrain(ctx, plan, finalHost);
    checkExtra(ctx, plan);
  } else checkBalanceCells(ctx, plan);
  if (plan.metrics?.moves !== plan.moves.length) {
    report(ctx, {
      wave: null,
      code: 'METRICS_MOVES',
      message: `metrics.moves is ${plan.metrics?.moves}, the plan has ${plan.moves.length} moves`,
    });
  }
}
