/**
 * The tentative end-state placement of one cell during the balance search: where each instance
 * is, per-host usage (via the constraints module) and the incremental objective. Moves here are
 * end-state only; waves.ts makes them safe in time afterwards.
 */
import type { ClusterView } from '../constraints/view.js';
import type { UsageState } from '../constraints/state.js';
import { addInstance, createUsage, removeInstance } from '../constraints/state.js';
import { estimatedSeconds, migrationMode, moveGib } from '../estimate.js';
import type { UnplacedCode } from '../model/plan.js';
import { CellObjective } from './objective.js';

export interface Fixed {
  code: UnplacedCode;
  reason: string;
}

/** Least seconds charged for any move, so that tiny instances do not look free. */
const RETARGET_SECONDS = 1;
/**
 * Share of its cost charged for re-targeting an instance that already moves: no second copy, but
 * a change of mind that must pay for itself, or the search would shuffle moved instances for
 * crumbs of gain.
 */
const RETARGET_SHARE = 0.5;

/**
 * Fixed cost of one migration in seconds (set-up, the pause at switch-over, its risk, an operator
 * reading the plan), on top of its transfer time. Without it the search prefers many tiny moves.
 * @default 15
 */
export const DEFAULT_MIGRATION_OVERHEAD_SECONDS = 15;

export class CellPlacement {
  readonly usage: UsageState;
  readonly obj: CellObjective;
  /** View host index -> objective index (participating hosts only), -1 elsewhere. */
  readonly local: Int32Array;
  /** Objective index -> view host index. */
  readonly hostOf: number[];
  /** Current host (view index) of every instance. */
  readonly loc: Int32Array;
  private readonly homes: Int32Array;
  /** Instances per objective index. */
  readonly onHost: number[][];
  /** GiB copied when the instance moves from its inventory host (0 when it cannot move). */
  readonly gib: Float64Array;
  /** Seconds a move of the instance from its inventory host costs: overhead + estimated duration. */
  readonly seconds: Float64Array;
  /** Instance indexes moved so far, in the order first moved. */
  readonly moved: number[] = [];
  /** Seconds of the instances currently away from their inventory host. */
  spentSeconds = 0;
  /**
   * Extra seconds a ranking charges for each new migration: the price of the move budget when it
   * binds (0: rank by the real cost). Worthiness is always judged on the real cost.
   */
  movePrice = 0;

  /** 1 where balance may move the instance (on a participating host, not fixed). */
  private readonly free: Uint8Array;
  /** 1 where the instance is in a soft server group (its moves change the penalty). */
  private readonly soft: Uint8Array;

  constructor(
    readonly view: ClusterView,
    hosts: readonly number[],
    /** Why balance must leave an instance where it is (pinned, frozen, affinity member), or null. */
    readonly fixed: (i: number) => Fixed | null,
    overheadSeconds = DEFAULT_MIGRATION_OVERHEAD_SECONDS,
  ) {
    this.usage = createUsage(view);
    this.hostOf = [...hosts];
    this.local = new Int32Array(view.hosts.length).fill(-1);
    hosts.forEach((h, k) => {
      this.local[h] = k;
    });
    this.loc = Int32Array.from(view.instances, (inst) => view.hostIndex.get(inst.host) ?? -1);
    this.homes = this.loc.slice();
    this.onHost = hosts.map((h) => [...view.instancesByHost[h]]);
    this.free = new Uint8Array(view.instances.length);
    this.soft = new Uint8Array(view.instances.length);
    for (const list of this.onHost) {
      for (const i of list) {
        this.free[i] = fixed(i) ? 0 : 1;
        const g = view.instances[i].serverGroup;
        const policy = g ? view.groupPolicy.get(g) : undefined;
        this.soft[i] = policy === 'soft-affinity' || policy === 'soft-anti-affinity' ? 1 : 0;
      }
    }
    this.gib = new Float64Array(view.instances.length);
    this.seconds = new Float64Array(view.instances.length);
    for (const list of this.onHost) {
      for (const i of list) {
        const inst = view.instances[i];
        const m = migrationMode(inst);
        if (!m.mode) continue;
        const home = view.hosts[this.homes[i]];
        this.gib[i] = moveGib(inst, m.mode);
        // the destination is not known yet: the home host's link stands for both ends
        this.seconds[i] = overheadSeconds + estimatedSeconds(inst, m.mode, home, home);
      }
    }
    const byHost = new Map(
      hosts.map((h) => [view.hosts[h].name, view.instancesByHost[h].map((i) => view.instances[i])]),
    );
    const soft = (g: string) => {
      const p = view.groupPolicy.get(g);
      return p === 'soft-affinity' || p === 'soft-anti-affinity' ? p : null;
    };
    this.obj = new CellObjective(
      hosts.map((h) => view.hosts[h]),
      byHost,
      soft,
    );
  }

  movable(i: number): boolean {
    return this.free[i] === 1;
  }

  /** Home (inventory) host of instance `i`. */
  home(i: number): number {
    return this.homes[i];
  }

  /** Seconds the plan spends by moving `i` now (a share of them when it already moves: no second copy). */
  cost(i: number): number {
    if (this.loc[i] !== this.home(i)) return Math.max(this.seconds[i] * RETARGET_SHARE, RETARGET_SECONDS);
    return Math.max(this.seconds[i], RETARGET_SECONDS);
  }

  /** The cost a ranking compares: `cost(i)` plus the move budget's price for a new migration. */
  rankCost(i: number): number {
    return this.loc[i] !== this.home(i) ? this.cost(i) : this.cost(i) + this.movePrice;
  }

  /**
   * Whether moving `i` now keeps the plan within `maxSeconds` in total (re-targets add nothing)
   * and the move itself within `maxMoveSeconds` (a migration cannot be split across nights).
   */
  fitsSeconds(i: number, maxSeconds: number, maxMoveSeconds: number): boolean {
    if (this.seconds[i] > maxMoveSeconds) return false;
    return this.loc[i] !== this.home(i) || this.spentSeconds + this.seconds[i] <= maxSeconds;
  }

  /** Objective change of moving `i` to host `to` (view index). */
  delta(i: number, to: number): number {
    return this.deltaLocal(i, this.local[this.loc[i]], this.local[to]);
  }

  /** Objective change of moving `i` from objective host `a` to `b`; O(1), no allocation. */
  deltaLocal(i: number, a: number, b: number): number {
    const inst = this.view.instances[i];
    if (this.soft[i]) return this.obj.delta(inst, a, b);
    return this.obj.deltaLoad(inst.memoryMb, inst.cpuUsage === null ? 0 : inst.cpuUsage * inst.vcpus, a, b);
  }

  apply(i: number, to: number): void {
    const from = this.loc[i];
    const a = this.local[from];
    const b = this.local[to];
    this.obj.apply(this.view.instances[i], a, b);
    addInstance(this.view, this.usage, i, to);
    removeInstance(this.view, this.usage, i, from);
    const list = this.onHost[a];
    list.splice(list.indexOf(i), 1);
    this.onHost[b].push(i);
    if (from === this.home(i)) {
      if (!this.moved.includes(i)) this.moved.push(i);
      this.spentSeconds += this.seconds[i];
    } else if (to === this.home(i)) this.spentSeconds -= this.seconds[i];
    this.loc[i] = to;
  }

  /** Final placements that differ from the inventory, in the order first moved. */
  targets(): Array<{ instance: number; to: number }> {
    return this.moved.filter((i) => this.loc[i] !== this.home(i)).map((i) => ({ instance: i, to: this.loc[i] }));
  }

  /** Instances currently away from their inventory host. */
  movedCount(): number {
    let n = 0;
    for (const i of this.moved) if (this.loc[i] !== this.home(i)) n++;
    return n;
  }
}
