/**
 * What tonight's balance would move, planned once for the whole inventory with the nightly
 * settings (the move limit is per night, not per cell), then shown cell by cell. Plan only.
 */
import { cellStats, type Inventory, type Plan } from '../../planner/index.js';
import type { BalanceAsked, BoundPlanners } from '../orchestrate/bound-planners.js';
import type { TonightBalance } from './model.js';

/**
 * Tonight's balance settings: the imbalance below which nothing moves, the most moves tonight over
 * all cells (none when undefined), instances never moved (cool-down, maintenance), the cells the
 * nightly run balances (all when absent or empty).
 */
export type BalanceSettings = BalanceAsked;

/** Tonight's balance per cell; a planner failure is reported in every cell, not thrown. */
export function tonightBalance(
  inventory: Inventory,
  settings: BalanceSettings,
  planners: Pick<BoundPlanners, 'balance'>,
): Map<string, TonightBalance> {
  let result: Plan | null = null;
  let error: string | null = null;
  try {
    result = planners.balance(inventory, settings);
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
