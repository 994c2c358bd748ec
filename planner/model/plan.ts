/** The plan (shared contract, see README "Formats"). Fields may be added, never dropped or renamed. */

export type Goal = 'drain' | 'balance';
export type MigrationMode = 'live' | 'block' | 'cold';

export interface Move {
  /** Instance id (the libvirt domain UUID). */
  instance: string;
  /** Instance name, for people and logs. */
  name: string;
  from: string;
  to: string;
  mode: MigrationMode;
  wave: number;
  /** Expected duration from memory size, dirty rate and bandwidth (plus disk for block). */
  estimatedSeconds: number;
  /** Completion timeout: per-GiB budget x (memory GiB + disk GiB for block), 2 GiB floor. */
  timeoutSeconds: number;
  /** GiB copied over the network: memory, plus disk for block. */
  gib: number;
  /**
   * `false` when pre-copy is predicted not to converge: the guest's dirty rate is at least 80 % of
   * the move's bandwidth share (planner/convergence.ts). The executor then starts it with
   * auto-converge (post-copy where permitted). Absent otherwise.
   */
  converges?: false;
}

/** Stable reasons an instance could not be moved. */
export type UnplacedCode =
  | 'PINNED' // pinned instances never move
  | 'READONLY_DEVICE' // local storage with config drive or CD-ROM cannot be block-migrated
  | 'NO_CAPACITY' // no compatible host has room (reason names the closest host and what it lacked)
  | 'NO_TARGET_IN_CELL' // no other enabled, up, non-drained host in the instance's cell
  | 'HYPERVISOR_INCOMPATIBLE' // every candidate has another hypervisor type or an older version
  | 'CPU_INCOMPATIBLE' // every candidate lacks the needed CPU model
  | 'SERVER_GROUP' // every candidate would break anti-affinity / affinity
  | 'EXCLUDED' // every candidate was excluded (failed before, host down during execution)
  | 'MOVE_LIMIT'; // balance: maxMoves reached

export interface Unplaced {
  instance: string;
  name: string;
  host: string;
  code: UnplacedCode;
  reason: string;
}

/** Allocation and utilisation statistics of the hosts of one cell. */
export interface CellStats {
  hosts: number;
  cpuAlloc: { max: number; cv: number };
  memAlloc: { max: number; cv: number };
  /** Measured CPU utilisation; null when no host of the cell has `cpuUsage`. */
  cpuUsage: { max: number; cv: number } | null;
}

export interface PlanMetrics {
  before: Record<string, CellStats>;
  after: Record<string, CellStats>;
  moves: number;
  gibToCopy: number;
  waves: number;
  /** Which method produced the moves, e.g. `exact-lp`, `heuristic-bfd+ls`. */
  method: string;
  /**
   * Objective value of the plan (lower is better) and a proven lower bound on it. In a drain that
   * makes room they describe the pure placement (the drained instances placed without moving
   * anything else); the moves that make room are counted in `extraMoves` / `extraGib`.
   */
  objective: number;
  lowerBound: number;
  /** (objective - lowerBound) / max(|objective|, tiny); 0 means proven optimal. */
  gap: number;
  /** Drain: moves of instances that were not on a drained host (made room); 0 when none were needed. */
  extraMoves?: number;
  /** Drain: GiB those moves copy. */
  extraGib?: number;
}

export interface Plan {
  goal: Goal;
  target: { hosts?: string[]; cells?: string[] };
  feasible: boolean;
  moves: Move[];
  unplaced: Unplaced[];
  metrics: PlanMetrics;
}
