/**
 * What tonight's balance would move in one cell, planned with the nightly settings (plan only).
 */
import type { Inventory, PlannerOptions } from '../../planner/index.js';
import { cellStats } from '../../planner/metrics.js';
import type { TonightBalance } from './model.js';
import type { PlanFn } from './n-plus-one.js';

export interface BalanceSettings {
  /** Imbalance below which nothing moves. */
  threshold: number;
  /** Most moves tonight; undefined for no limit. */
  maxMoves?: number;
  /** Instances in their cool-down (moved recently), never moved. */
  frozenInstances: string[];
}

/** Plans the balance of `cell` on the cell's own inventory; a planner failure is reported, not thrown. */
export function tonightBalance(
  cellInv: Inventory,
  cell: string,
  settings: BalanceSettings,
  planner: PlanFn,
  plannerOptions: PlannerOptions,
): TonightBalance {
  try {
    const request = { goal: 'balance' as const, cells: [cell], threshold: settings.threshold, maxMoves: settings.maxMoves, frozenInstances: settings.frozenInstances };
    const result = planner(cellInv, request, plannerOptions);
    return {
      moves: result.moves,
      unplaced: result.unplaced,
      before: result.metrics.before[cell] ?? null,
      after: result.metrics.after[cell] ?? null,
      gibToCopy: result.metrics.gibToCopy,
      error: null,
    };
  } catch (err) {
    const before = cellStats(cellInv, new Map())[cell] ?? null;
    return { moves: [], unplaced: [], before, after: null, gibToCopy: 0, error: `balance planner failed: ${(err as Error)?.message ?? String(err)}` };
  }
}
