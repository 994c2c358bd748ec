/**
 * The campaign verifier: replays a rolling maintenance step by step on its own copy of the
 * inventory. Each step is checked as a drain of its hosts with `verifyPlan` from the placement
 * the earlier steps left (every rule at every instant, waves from 0, bookkeeping); then the
 * campaign rules: every target in exactly one step and nothing else, at most `maxUnavailable`
 * hosts of one cell per step, the top-level `unplaced` is the union of the steps', `feasible`
 * agrees with it, and the metrics are recomputed. Shares no code with planner/campaign.
 *
 * Codes (besides the drain codes, tagged with `step`): MAX_UNAVAILABLE, TARGET_MISSING,
 * TARGET_TWICE, STEP_NOT_TARGET, STEP_EMPTY, STEP_LIMIT, UNPLACED_UNION, FEASIBLE_FLAG,
 * METRICS_MOVES, METRICS_GIB, METRICS_TWICE, METRICS_LOWER_BOUND, METRICS_STEPS, STEP_GIB.
 * Linear in hosts + instances once, then per step in what the step touches (plus a host scan).
 */
import type { Instance, Inventory } from '../model/inventory.js';
import type { CampaignPlan, CampaignStep } from '../model/campaign.js';
import type { Plan, PlanMetrics } from '../model/plan.js';
import type { Violation, VerifyResult } from '../model/verify.js';
import type { VerifyOptions } from './context.js';
import { requiredMode } from './move-rules.js';
import { verifyPlan } from './verify.js';

const TOL = 1e-3;

function asDrain(step: CampaignStep): Plan {
  const metrics = { moves: step.moves.length } as PlanMetrics;
  return {
    goal: 'drain',
    target: { hosts: step.hosts },
    feasible: step.unplaced.length === 0,
    moves: step.moves,
    unplaced: step.unplaced,
    metrics,
  };
}

/**
 * The verifier's own placement as the steps go by, and for each step the part of the inventory
 * its rules can see: the step's hosts, every host a move leaves or reaches, where each moved
 * instance really is, and every host holding a member of a hard server group that a moved or
 * drained instance belongs to. Capacity, anti-affinity and affinity only ever look at those
 * hosts, so the step verifies as it would on the whole inventory, without scanning it per step.
 */
interface Placement {
  inventory: Inventory;
  byId: Map<string, Instance>;
  onHost: Map<string, Set<Instance>>;
  groupMembers: Map<string, Instance[]>;
}

function createPlacement(inventory: Inventory): Placement {
  const instances = inventory.instances.map((i) => ({ ...i }));
  const hard = new Set(
    inventory.serverGroups.filter((g) => g.policy === 'anti-affinity' || g.policy === 'affinity').map((g) => g.id),
  );
  const onHost = new Map<string, Set<Instance>>(inventory.hosts.map((h) => [h.name, new Set()]));
  const groupMembers = new Map<string, Instance[]>();
  for (const inst of instances) {
    onHost.get(inst.host)?.add(inst);
    if (inst.serverGroup && hard.has(inst.serverGroup)) {
      const list = groupMembers.get(inst.serverGroup) ?? [];
      list.push(inst);
      groupMembers.set(inst.serverGroup, list);
    }
  }
  return { inventory, byId: new Map(instances.map((i) => [i.id, i])), onHost, groupMembers };
}

function stepView(p: Placement, step: CampaignStep): Inventory {
  const hosts = new Set<string>(step.hosts);
  const groups = new Set<string>();
  const note = (inst: Instance | undefined) => {
    if (!inst) return;
    hosts.add(inst.host);
    if (inst.serverGroup) groups.add(inst.serverGroup);
  };
  for (const h of step.hosts) for (const inst of p.onHost.get(h) ?? []) note(inst);
  for (const m of step.moves) {
    hosts.add(m.from).add(m.to);
    note(p.byId.get(m.instance));
  }
  for (const g of groups) for (const inst of p.groupMembers.get(g) ?? []) hosts.add(inst.host);
  const list = p.inventory.hosts.filter((h) => hosts.has(h.name));
  const instances = list.flatMap((h) => [...(p.onHost.get(h.name) ?? [])]);
  return { hosts: list, instances, serverGroups: p.inventory.serverGroups };
}

/** Where each instance is after the step: the move in its latest wave. */
function advance(p: Placement, step: CampaignStep): void {
  const latest = new Map<string, { wave: number; to: string }>();
  for (const m of step.moves) {
    const seen = latest.get(m.instance);
    if (!seen || m.wave >= seen.wave) latest.set(m.instance, { wave: m.wave, to: m.to });
  }
  for (const [id, { to }] of latest) {
    const inst = p.byId.get(id);
    const target = p.onHost.get(to);
    if (!inst || !target) continue;
    p.onHost.get(inst.host)?.delete(inst);
    inst.host = to;
    target.add(inst);
  }
}

function checkTargets(inventory: Inventory, plan: CampaignPlan, out: Violation[]): void {
  const n = plan.target.maxUnavailable;
  if (!Number.isInteger(n) || n < 1)
    out.push({ wave: null, code: 'MAX_UNAVAILABLE', message: `maxUnavailable is ${n}: expected an integer >= 1` });
  const cellOf = new Map(inventory.hosts.map((h) => [h.name, h.cell]));
  const targets = new Set(plan.target.hosts);
  const stepOf = new Map<string, number>();
  plan.steps.forEach((step, k) => {
    if (step.hosts.length === 0)
      out.push({ wave: null, step: k, code: 'STEP_EMPTY', message: `step ${k} has no host` });
    const perCell = new Map<string, number>();
    for (const h of step.hosts) {
      if (!targets.has(h))
        out.push({
          wave: null,
          step: k,
          host: h,
          code: 'STEP_NOT_TARGET',
          message: `step ${k} drains ${h}, not a target`,
        });
      if (stepOf.has(h))
        out.push({
          wave: null,
          step: k,
          host: h,
          code: 'TARGET_TWICE',
          message: `host ${h} is in step ${stepOf.get(h)} and step ${k}: expected exactly one step`,
        });
      else stepOf.set(h, k);
      const cell = cellOf.get(h) ?? '?';
      perCell.set(cell, (perCell.get(cell) ?? 0) + 1);
    }
    for (const [cell, count] of perCell)
      if (count > n)
        out.push({
          wave: null,
          step: k,
          code: 'STEP_LIMIT',
          message: `step ${k} takes ${count} hosts of cell ${cell} out of service, maxUnavailable is ${n}`,
        });
  });
  for (const h of targets)
    if (!stepOf.has(h))
      out.push({ wave: null, host: h, code: 'TARGET_MISSING', message: `target host ${h} is in no step` });
}

function checkUnplaced(plan: CampaignPlan, out: Violation[]): void {
  const union = plan.steps.flatMap((s) => s.unplaced.map((u) => u.instance)).sort();
  const top = plan.unplaced.map((u) => u.instance).sort();
  if (union.join('\u0000') !== top.join('\u0000'))
    out.push({
      wave: null,
      code: 'UNPLACED_UNION',
      message: `top-level unplaced lists ${top.length} instance(s), the steps ${union.length}: expected their union`,
    });
  if (plan.feasible !== (top.length === 0))
    out.push({
      wave: null,
      code: 'FEASIBLE_FLAG',
      message: `feasible is ${plan.feasible} but ${top.length} instance(s) are unplaced`,
    });
}

function lowerBoundGib(inventory: Inventory, targets: ReadonlySet<string>): number {
  let gib = 0;
  for (const inst of inventory.instances) {
    if (!targets.has(inst.host)) continue;
    const mode = requiredMode(inst);
    if (mode === 'PINNED' || mode === 'READONLY_DEVICE') continue;
    gib += inst.memoryMb / 1024 + (mode === 'block' ? inst.diskGb : 0);
  }
  return gib;
}

function checkMetrics(inventory: Inventory, plan: CampaignPlan, out: Violation[]): void {
  const m = plan.metrics;
  const moves = plan.steps.flatMap((s) => s.moves);
  const stepsOf = new Map<string, Set<number>>();
  plan.steps.forEach((s, k) => {
    for (const mv of s.moves) {
      const set = stepsOf.get(mv.instance) ?? new Set();
      stepsOf.set(mv.instance, set.add(k));
    }
    const g = s.moves.reduce((x, mv) => x + mv.gib, 0);
    if (Math.abs(s.gibToCopy - g) > TOL)
      out.push({
        wave: null,
        step: k,
        code: 'STEP_GIB',
        message: `step ${k}: gibToCopy ${s.gibToCopy}, moves copy ${g}`,
      });
  });
  const gib = moves.reduce((x, mv) => x + mv.gib, 0);
  const twice = [...stepsOf.values()].filter((s) => s.size > 1).length;
  const bound = lowerBoundGib(inventory, new Set(plan.target.hosts));
  const expect = (code: string, name: string, actual: number, wanted: number) => {
    if (!(Math.abs(actual - wanted) <= TOL))
      out.push({ wave: null, code, message: `metrics.${name} is ${actual}, expected ${wanted}` });
  };
  expect('METRICS_MOVES', 'moves', m?.moves, moves.length);
  expect('METRICS_GIB', 'gibToCopy', m?.gibToCopy, gib);
  expect('METRICS_TWICE', 'instancesMovedTwiceOrMore', m?.instancesMovedTwiceOrMore, twice);
  expect('METRICS_LOWER_BOUND', 'lowerBoundGib', m?.lowerBoundGib, bound);
  expect('METRICS_STEPS', 'steps', m?.steps, plan.steps.length);
}

/** Re-checks a campaign step by step; never throws on a bad campaign. */
export function verifyCampaign(inventory: Inventory, plan: CampaignPlan, options: VerifyOptions = {}): VerifyResult {
  const violations: Violation[] = [];
  checkTargets(inventory, plan, violations);
  const placement = createPlacement(inventory);
  plan.steps.forEach((step, k) => {
    for (const v of verifyPlan(stepView(placement, step), asDrain(step), options).violations)
      violations.push({ ...v, step: k, message: `step ${k}: ${v.message}` });
    advance(placement, step);
  });
  checkUnplaced(plan, violations);
  checkMetrics(inventory, plan, violations);
  return { ok: violations.length === 0, violations };
}
