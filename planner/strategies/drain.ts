/**
 * Drain: empty one or several hosts. Every instance on them gets a move or an `unplaced` entry
 * naming the rule that blocked it.
 *
 * Targets are hosts of the instance's cell that are enabled, up, not drained, not avoided and not
 * excluded, with a compatible hypervisor and CPU, respecting server groups and capacity. The
 * placement minimises the peak utilisation of the receiving hosts (see solvers/problem.ts) after
 * placing as many instances as possible, larger first; every drain move copies the same GiB, so
 * GiB copied only differs through what is left unplaced.
 *
 * Placed moves go in wave 0. That is safe under the wave rule: sources are drained hosts, which
 * never receive, so their usage only falls; each receiver's usage after the wave is its current
 * usage plus every arrival, and that sum is exactly what the placement checked against capacity
 * (and anti-affinity counts arrivals too). Nothing needs to leave a receiver first.
 *
 * What the placement leaves out, make-room.ts may still place by moving other instances of the
 * cell off a host in earlier waves and the drained instance there after them (see its safety argument).
 */
import type { Inventory } from '../model/inventory.js';
import type { Move, Plan, Unplaced } from '../model/plan.js';
import type { DrainRequest, PlannerOptions } from '../model/options.js';
import type { ClusterView, UsageState } from '../constraints/index.js';
import { buildView, createUsage, explainUnplaced } from '../constraints/index.js';
import { estimatedSeconds, migrationMode, moveGib, timeoutSeconds } from '../estimate.js';
import { planMetrics } from '../metrics.js';
import { withConvergence } from '../convergence.js';
import { makeRoom, type RoomResult } from './make-room.js';
import { solvePlacement } from '../solvers/index.js';
import type { Problem, Unit } from '../solvers/index.js';
import { applyAssignment } from '../solvers/problem.js';
import { buildUnits } from '../solvers/units.js';

/** A drain request named a host the inventory does not have. */
export class UnknownHostError extends Error {
  override name = 'UnknownHostError';
  readonly code = 'UNKNOWN_HOST';
  constructor(readonly host: string) {
    super(`cannot drain unknown host "${host}": it is not in the inventory`);
  }
}

function unplacedEntry(view: ClusterView, i: number, code: Unplaced['code'], reason: string): Unplaced {
  const inst = view.instances[i];
  return { instance: inst.id, name: inst.name, host: inst.host, code, reason };
}

/** Instances on the drained hosts that can move; the others go straight to `unplaced`. */
function collect(view: ClusterView, hosts: string[], unplaced: Unplaced[]): { moving: number[]; stuck: Set<number> } {
  const moving: number[] = [];
  const stuck = new Set<number>();
  for (const name of hosts) {
    const h = view.hostIndex.get(name);
    if (h === undefined) throw new UnknownHostError(name);
    for (const i of view.instancesByHost[h]) {
      const d = migrationMode(view.instances[i]);
      if (d.mode !== null) moving.push(i);
      else {
        stuck.add(i);
        unplaced.push(unplacedEntry(view, i, d.code, d.reason));
      }
    }
  }
  return { moving, stuck };
}

function subjectOf(view: ClusterView, u: Unit): string {
  const first = view.instances[u.rep];
  if (u.members.length === 1) return `instance ${first.name}`;
  return `affinity group ${first.serverGroup} (${u.members.map((m) => view.instances[m].name).join(', ')})`;
}

function moveOf(view: ClusterView, i: number, h: number, wave: number, options: PlannerOptions): Move {
  const dst = view.hosts[h];
  const inst = view.instances[i];
  const mode = migrationMode(inst).mode!;
  const src = view.hosts[view.hostIndex.get(inst.host)!];
  return {
    instance: inst.id,
    name: inst.name,
    from: inst.host,
    to: dst.name,
    mode,
    wave,
    estimatedSeconds: estimatedSeconds(inst, mode, src, dst),
    timeoutSeconds: timeoutSeconds(inst, mode, options.timeoutPerGiBSeconds),
    gib: moveGib(inst, mode),
  };
}

const MADE_NO_ROOM = '; moving other instances of the cell off a compatible host does not make room either';

function explainLeftOver(view: ClusterView, u: Unit, end: UsageState, triedRoom: boolean): Unplaced[] {
  const e = explainUnplaced(view, u.rep, end, u.demand, subjectOf(view, u));
  const reason = triedRoom && e.code === 'NO_CAPACITY' ? e.reason + MADE_NO_ROOM : e.reason;
  return u.members.map((m) => unplacedEntry(view, m, e.code, reason));
}

/** The drain placement, then make-room for what it left out when the request allows it. */
function place(problem: Problem, request: DrainRequest, options: PlannerOptions) {
  const solution = solvePlacement(problem, options);
  const end = applyAssignment(problem, solution.hostOf)!;
  const hostOf = solution.hostOf.slice();
  const wave = new Uint8Array(hostOf.length);
  let room: RoomResult | null = null;
  if (request.makeRoom !== false && hostOf.includes(-1)) {
    room = makeRoom(problem, solution.hostOf, end, new Set(request.frozenInstances ?? []));
    for (const r of room.placed) [hostOf[r.unit], wave[r.unit]] = [r.host, r.wave];
  }
  return { solution, hostOf, wave, room, end: room?.state ?? end };
}

/** Empties the requested hosts. */
export function planDrain(inventory: Inventory, request: DrainRequest, options: PlannerOptions): Plan {
  const hosts = [...new Set(request.hosts)];
  const view = buildView(inventory, { drained: hosts, avoidHosts: options.avoidHosts, exclusions: options.exclusions });
  const base = createUsage(view);
  const unplaced: Unplaced[] = [];
  const { moving, stuck } = collect(view, hosts, unplaced);
  const { units, blocked } = buildUnits(view, base, moving, stuck);
  for (const b of blocked) unplaced.push(unplacedEntry(view, b.instance, 'SERVER_GROUP', b.reason));
  const problem: Problem = { view, base, units: units.filter((u) => u.candidates.length > 0) };
  const { solution, hostOf, wave, room, end } = place(problem, request, options);
  const moves: Move[] = (room?.evictions ?? []).map((e) => moveOf(view, e.instance, e.to, e.wave, options));
  problem.units.forEach((u, k) => {
    if (hostOf[k] >= 0) moves.push(...u.members.map((i) => moveOf(view, i, hostOf[k], wave[k], options)));
    else unplaced.push(...explainLeftOver(view, u, end, room !== null));
  });
  for (const u of units) if (u.candidates.length === 0) unplaced.push(...explainLeftOver(view, u, end, false));
  // Inventory order of what the plan names (instances on the drained hosts, evictions), without
  // indexing every instance of the region.
  const named = new Map<string, number>();
  for (const i of [...moving, ...stuck, ...(room?.evictions ?? []).map((e) => e.instance)])
    named.set(view.instances[i].id, i);
  const order = (id: string) => named.get(id) ?? view.instanceIndex.get(id)!;
  moves.sort((a, b) => a.wave - b.wave || order(a.instance) - order(b.instance));
  unplaced.sort((a, b) => order(a.instance) - order(b.instance));
  // Only what the moves name: a map of the whole cell per request cost more than the drain's placement.
  const instances = new Map(moves.map((m) => [m.instance, view.instances[order(m.instance)]]));
  const endpoints = new Map(moves.flatMap((m) => [m.from, m.to]).map((h) => [h, view.hosts[view.hostIndex.get(h)!]]));
  const annotated = withConvergence(moves, instances, endpoints, options);
  const method = problem.units.length === 0 ? 'none' : solution.method + (room?.evictions.length ? '+make-room' : '');
  const solve = { method, objective: solution.objective, lowerBound: solution.lowerBound };
  return {
    goal: 'drain',
    target: { hosts },
    feasible: unplaced.length === 0,
    moves: annotated,
    unplaced,
    metrics: planMetrics(inventory, annotated, solve, hosts),
  };
}
