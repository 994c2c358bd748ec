/** Requests and options for the planner's entry points. */
import type { LinkOptions } from '../convergence.js';

/** A placement that must not be used again: an instance to a host, or (no instance) a host entirely. */
export interface Exclusion {
  host: string;
  instance?: string;
}

export interface DrainRequest {
  /** Hosts to empty. */
  hosts: string[];
  /**
   * Move other instances of the cell first when fragmentation is all that blocks the drain
   * (spec: "Drains that make room"); false: only instances on the drained hosts move. @default true
   */
  makeRoom?: boolean;
  /** Instances that must not be moved to make room (moved recently). Instances on drained hosts still move. */
  frozenInstances?: string[];
  /**
   * A step of a maintenance campaign: the target hosts of its later steps. They may receive, but
   * only what no other host can take (it would move again in their step); planned as the
   * campaign plans a step (planMaintenanceStep), so a re-plan keeps the campaign's preference.
   */
  later?: string[];
}

export interface BalanceRequest {
  /** Cells to balance; all cells when absent or empty. */
  cells?: string[];
  /**
   * Imbalance below which nothing moves (and at which balancing stops). The imbalance of a cell
   * is max(CV of memory allocation, CV of measured CPU utilisation), CV = population standard
   * deviation / mean, over the hosts that take part (enabled, up, not in `avoidHosts`); the CPU
   * term counts only when every such host has a CPU figure (its own `cpuUsage`, or all of its
   * instances'). Over-capacity repairs happen whatever the imbalance. @default 0.1
   */
  threshold?: number;
  /** Maximum number of moves in the plan (bounces through a third host count twice). @default unlimited */
  maxMoves?: number;
  /** Instances that must not move (moved recently: anti-oscillation). They still count in the balance. */
  frozenInstances?: string[];
  /**
   * Time the plan may take (the nightly window at the executor's concurrency): by the planner's
   * estimate (planDurationSeconds: each move's estimated duration plus the per-migration
   * overhead, `concurrency` at once, wave after wave) the plan fits `seconds`. @default unlimited
   */
  timeBudget?: TimeBudget;
}

export interface TimeBudget {
  /** Length of the window in seconds. */
  seconds: number;
  /** Migrations the executor runs at once. */
  concurrency: number;
}

export interface PlannerOptions extends LinkOptions {
  /** Completion timeout budget per GiB copied (Nova's live_migration_completion_timeout). @default 800 */
  timeoutPerGiBSeconds?: number;
  /** Hosts that must not receive instances (maintenance, drains in progress, hosts being drained elsewhere). */
  avoidHosts?: string[];
  /** Placements excluded after failures. */
  exclusions?: Exclusion[];
  /** `auto` picks exact optimisation for small problems and the heuristic otherwise. @default 'auto' */
  method?: 'auto' | 'heuristic' | 'exact';
  /** Seed for any randomised search. @default 1 */
  seed?: number;
  /** Clock for solver time limits, in ms; the planner never reads the system clock itself. */
  now?: () => number;
  /** Time budget for the exact solver, in ms. @default 2000 */
  exactTimeLimitMs?: number;
  /**
   * Fixed cost of one migration in seconds (set-up, the pause at switch-over, its risk), added to
   * its estimated transfer time when balance weighs a move and when it estimates a plan's length.
   * @default 15
   */
  migrationOverheadSeconds?: number;
}
