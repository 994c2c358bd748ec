/** Turning scheduled legs and failures into the plan's moves, unplaced entries and objective. */
import type { ClusterView } from '../constraints/view.js';
import type { PlannerOptions } from '../model/options.js';
import type { Move, Unplaced, UnplacedCode } from '../model/plan.js';
import { estimatedSeconds, migrationMode, moveGib, timeoutSeconds } from '../estimate.js';
import type { WaveLeg } from '../waves.js';
import { CellObjective } from './objective.js';

export function toMove(view: ClusterView, leg: WaveLeg, options: PlannerOptions): Move {
  const inst = view.instances[leg.instance];
  const decision = migrationMode(inst);
  if (!decision.mode) throw new Error(`balance scheduled a move of immovable instance ${inst.id} (${decision.code})`);
  const mode = decision.mode;
  const from = view.hosts[leg.from];
  const to = view.hosts[leg.to];
  return {
    instance: inst.id,
    name: inst.name,
    from: from.name,
    to: to.name,
    mode,
    wave: leg.wave,
    estimatedSeconds: estimatedSeconds(inst, mode, from, to),
    timeoutSeconds: timeoutSeconds(inst, mode, options.timeoutPerGiBSeconds),
    gib: Math.round(moveGib(inst, mode) * 1000) / 1000,
  };
}

export function toUnplaced(view: ClusterView, i: number, code: UnplacedCode, reason: string): Unplaced {
  const inst = view.instances[i];
  return { instance: inst.id, name: inst.name, host: inst.host, code, reason };
}

/** Where every instance is after the legs (view host indexes). */
export function finalLocations(view: ClusterView, legs: readonly WaveLeg[]): Int32Array {
  const loc = Int32Array.from(view.instances, (inst) => view.hostIndex.get(inst.host) ?? -1);
  const sorted = [...legs].sort((a, b) => a.wave - b.wave);
  for (const leg of sorted) loc[leg.instance] = leg.to;
  return loc;
}

/**
 * The balance objective of a cell's participating hosts after moving instances to `loc`, and its
 * lower bound. Built from the inventory and then shifted move by move, because measured host CPU
 * figures already contain the instances that were there.
 */
export function objectiveOf(
  view: ClusterView,
  hosts: readonly number[],
  loc: Int32Array,
  floor: number,
): { value: number; lowerBound: number; imbalance: number } {
  const byHost = new Map(hosts.map((h) => [view.hosts[h].name, view.instancesByHost[h].map((i) => view.instances[i])]));
  const soft = (g: string) => {
    const p = view.groupPolicy.get(g);
    return p === 'soft-affinity' || p === 'soft-anti-affinity' ? p : null;
  };
  const obj = new CellObjective(
    hosts.map((h) => view.hosts[h]),
    byHost,
    soft,
  );
  obj.floor = floor;
  const local = new Map(hosts.map((h, k) => [h, k]));
  view.instances.forEach((inst, i) => {
    const a = local.get(view.hostIndex.get(inst.host)!);
    const b = local.get(loc[i]);
    if (a !== undefined && b !== undefined && a !== b) obj.apply(inst, a, b);
  });
  return { value: obj.value(), lowerBound: obj.lowerBound(), imbalance: obj.imbalance() };
}
