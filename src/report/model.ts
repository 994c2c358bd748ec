/**
 * The capacity-review report as data: what every renderer (JSON, CSV, HTML) shows. Plan-only:
 * building it never moves anything. Units are in the field names.
 */
import type { CellStats, Move, Unplaced, UnplacedCode } from '../../planner/index.js';

/** One resource of a host or a cell. `used` is measured use; null where the inventory has no measurement. */
export interface ResourceFigures {
  /** Usable capacity: (raw - reserved) x allocation ratio. */
  capacity: number;
  /** Sum of what the instances are allocated. */
  allocated: number;
  /** Measured use (CPU: busy cores); null when unknown. */
  used: number | null;
  /** capacity - allocated (negative when over-committed beyond the ratio). */
  headroom: number;
}

export interface Resources {
  vcpus: ResourceFigures;
  memoryMb: ResourceFigures;
  diskGb: ResourceFigures;
}

/** Why an instance keeps a host from being drained (a planner `unplaced` entry, or a note). */
export interface Blocker {
  instance: string;
  name: string;
  code: UnplacedCode | 'NOT_CHECKED' | 'PLANNER_ERROR';
  reason: string;
}

/** Whether a host could be emptied right now, and how that was decided. */
export interface DrainCheck {
  /** null when not decided (planner error or time budget exhausted). */
  drainable: boolean | null;
  /**
   * `quick`: proven without the planner (a greedy placement exists, or an instance fits nowhere
   * even alone); `planner`: the drain planner decided; `none`: not decided.
   */
  method: 'quick' | 'planner' | 'none';
  /** Instances that could not be placed (with `quick`: those that fit nowhere even alone); empty when drainable. */
  blockers: Blocker[];
  /** Drainable only after moving this many other instances to make room (the planner's `metrics.extraMoves`). */
  extraMoves?: number;
}

/** "drainable", "drainable with 2 extra moves", "not drainable": one wording for every view. */
export function drainLabel(d: DrainCheck): string {
  if (d.drainable === null) return 'not decided';
  if (!d.drainable) return 'not drainable';
  const n = d.extraMoves ?? 0;
  return n > 0 ? `drainable with ${n} extra move${n > 1 ? 's' : ''}` : 'drainable';
}

export interface HostRow {
  host: string;
  cell: string;
  /** Enabled, up and not in maintenance: a possible migration target. */
  inService: boolean;
  maintenance: boolean;
  instances: number;
  /** Physical cores (before reservation and overcommit), the scale of measured CPU use. */
  physicalCores: number;
  resources: Resources;
  drain: DrainCheck;
}

/** How many more instances of one flavor size fit into the cell's in-service hosts. */
export interface FlavorFit {
  vcpus: number;
  memoryMb: number;
  /** Disk of the flavor; counts only when the instance uses local storage. */
  diskGb: number;
  /** Instances of this size in the cell now. */
  count: number;
  /** More that fit on shared or volume storage (CPU and memory). */
  fitShared: number;
  /** More that fit on local storage (CPU, memory and local disk). */
  fitLocal: number;
}

/** Tonight's balance for one cell (the nightly settings, plan only). */
export interface TonightBalance {
  moves: Move[];
  unplaced: Unplaced[];
  before: CellStats | null;
  after: CellStats | null;
  gibToCopy: number;
  /** Set when the planner failed for this cell. */
  error: string | null;
}

export interface NPlusOneSummary {
  drainable: number;
  notDrainable: number;
  undecided: number;
  /** Hosts decided by the quick proofs and by the full drain planner. */
  quick: number;
  planner: number;
  /** Wall time of the whole N+1 analysis of the cell. */
  ms: number;
}

/** One step of a forecast rolling maintenance of the cell. */
export interface PatchStep {
  hosts: string[];
  moves: number;
  gibToCopy: number;
  /** The step's drain at the configured executor limits plus the patch time. */
  seconds: number;
  /** Instances the step cannot move off its hosts (`host`: which), with the reason. */
  stays: Array<Blocker & { host: string }>;
}

/** Could the cell be patched now, one rolling maintenance with this `maxUnavailable`? */
export interface PatchCheck {
  maxUnavailable: number;
  /** true: every step can be emptied; false: some step cannot; null: not decided (budget, planner error). */
  patchable: boolean | null;
  /** Hosts to patch (every enabled, up host of the cell); the figures below are null when not decided. */
  hosts: number | null;
  steps: number | null;
  moves: number | null;
  gibToCopy: number | null;
  instancesMovedTwiceOrMore: number | null;
  /** Whole campaign: every step's drain at the configured executor limits, plus patchMinutes per step. */
  seconds: number | null;
  /** The steps in order (empty when not decided). */
  schedule: PatchStep[];
  /** Index (from 0) of the first step that cannot be emptied. */
  failingStep: number | null;
  /** Why not (the failing step and what stays), or why not decided; null when patchable. */
  reason: string | null;
}

export interface CellReport {
  cell: string;
  hosts: number;
  inServiceHosts: number;
  instances: number;
  /** Totals over in-service hosts. */
  resources: Resources;
  /** Busy cores / physical cores over in-service hosts with a measurement; null when none has one. */
  cpuUtilisation: number | null;
  nPlusOne: NPlusOneSummary;
  fragmentation: FlavorFit[];
  tonight: TonightBalance;
  /** Rolling maintenance of the cell now, one check per maxUnavailable (1 and 2). */
  patching: PatchCheck[];
}

export interface CapacityReport {
  generatedAt: string;
  settings: {
    maintenanceHosts: string[];
    threshold: number;
    maxMoves: number | null;
    frozenInstances: number;
    /** What the patching durations assume: the executor limits and the patch time per host. */
    patching: {
      patchMinutes: number;
      concurrency: { global: number; perHostOutbound: number; perHostInbound: number };
      bandwidthMiBps: number;
      migrationOverheadSeconds: number;
    };
  };
  cells: CellReport[];
  hosts: HostRow[];
  timings: { totalMs: number; nPlusOneMs: number; balanceMs: number; patchingMs: number };
}
