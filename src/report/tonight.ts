/**
 * What tonight's balance would move, planned once for the whole inventory with the nightly
 * settings (the move limit is per night, not per cell), then shown cell by cell. Plan only.
 */
import { cellStats, type Inventory, type Plan, type PlannerOptions } from '../../planner/index.js';
import type { TonightBalance } from './model.js';
import type { PlanFn } from './n-plus-one.js';

export interface BalanceSettings {
  /** Imbalance below which nothing moves. */
  threshold: number;
  /** Most moves tonight over all cells; undefined for no limit. */
  maxMoves?: number;
  /** Instances in their cool-down (moved recently), never moved. */
  frozenInstances: string[];
  /** Cells the nightly run balances; all when absent or empty. */
  cells?: string[];
}

/** Tonight's balance per cell; a planner failure is reported in every cell, not thrown. */
export function tonightBalance(
  inventory: Inventory,
  settings: BalanceSettings,
  planner: PlanFn,
  plannerOptions: PlannerOptions,
): Map<string, TonightBalance> {
  let result: Plan | null = null;
  let error: string | null = null;
  try {
    const request = {
      goal: 'balance' as const,
      cells: settings.cells,
      threshold: settings.threshold,
      maxMoves: settings.maxMoves,
      frozenInstances: settings.frozenInstances,
    };
    result = planner(inventory, request, plannerOptions);
  } catch (err) {
    error = `balance planner failed: ${(err as Error)?.message ?? String(err)}`;
  }
  const cellOf = new Map(inventory.hosts.map((h) => [h.name, h.cell]));
  const before = cellStats(inventory, new Map());
  const out = new Map<string, TonightBalance>();
  for (const cell of new Set(cellOf.values())) {
    const moves = result?.moves.filter((m) => cellOf.get(m.from) === cell) ?? [];
    const gib = moves.reduce((sum, m) => sum + m.gib, 0);
    out.set(cell, {
      moves,
      unplaced: result?.unplaced.filter((u) => cellOf.get(u.host) === cell) ?? [],
      before: result?.metrics.before[cell] ?? before[cell] ?? null,
      after: result ? (result.metrics.after[cell] ?? null) : null,
      gibToCopy: Math.round(gib * 1000) / 1000,
      error,
    });
  }
  return out;
}
