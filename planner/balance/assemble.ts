/** Turning scheduled legs and failures into the plan's moves, unplaced entries and objective. */
import type { ClusterView } from '../constraints/view.js';
import type { Instance } from '../model/inventory.js';
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

/** The balance objective of a cell's participating hosts for a placement, and its lower bound. */
export function objectiveOf(view: ClusterView, hosts: readonly number[], loc: Int32Array, floor: number): { value: number; lowerBound: number; imbalance: number } {
  const byHost = new Map<string, Instance[]>();
  const names = new Map<number, string>();
  for (const h of hosts) {
    byHost.set(view.hosts[h].name, []);
    names.set(h, view.hosts[h].name);
  }
  view.instances.forEach((inst, i) => {
    const name = names.get(loc[i]);
    if (name !== undefined) byHost.get(name)!.push(inst);
  });
  const soft = (g: string) => {
    const p = view.groupPolicy.get(g);
    return p === 'soft-affinity' || p === 'soft-anti-affinity' ? p : null;
  };
  const obj = new CellObjective(hosts.map((h) => view.hosts[h]), byHost, soft);
  obj.floor = floor;
  return { value: obj.value(), lowerBound: obj.lowerBound(), imbalance: obj.imbalance() };
}
