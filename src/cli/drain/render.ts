/** Output of `rebalancer drain`: the plan, and after execution each move's outcome. */
import { outcomeOf, outcomeText, type GoalOutcome } from '../../orchestrate/goal.js';
import type { Plan } from '../../../planner/index.js';
import type { MoveState, PlanStatus, StoredError } from '../../../executor/store.js';
import type { ServiceStore } from '../../store/port.js';
import { planChain } from '../../../executor/chain.js';

export interface MoveOutcome {
  index: number;
  instance: string;
  name: string;
  from: string;
  to: string;
  mode: string;
  wave: number;
  outcome: MoveState;
  attempts: number;
  error: StoredError | null;
  /** Where the domain was found when the outcome differed from the plan. */
  runningOn: string[] | null;
}

export interface ExecutedPlan {
  planId: string;
  status: PlanStatus;
  plan: Plan;
  moves: MoveOutcome[];
}

/** What `drain --execute --format json` prints: the final plan of the re-plan chain and its history. */
export interface DrainReport {
  /** Status of the last plan of the chain. */
  status: PlanStatus;
  planId: string;
  /** The goal checked after execution (null when it was not checked). */
  outcome: GoalOutcome | null;
  final: ExecutedPlan;
  /** Every plan of the chain, oldest first (the first is the one computed by this command). */
  history: ExecutedPlan[];
}

export async function drainReport(store: ServiceStore, planId: string): Promise<DrainReport> {
  const history: ExecutedPlan[] = [];
  for (const id of await planChain(store, planId)) {
    const rec = (await store.getPlan(id))!;
    const moves = (await store.listMoves(id)).map((m) => ({
      index: m.index,
      instance: m.move.instance,
      name: m.move.name,
      from: m.move.from,
      to: m.move.to,
      mode: m.move.mode,
      wave: m.move.wave,
      outcome: m.state,
      attempts: m.attempts,
      error: m.error,
      runningOn: m.location?.runningOn ?? null,
    }));
    history.push({ planId: id, status: rec.status, plan: rec.plan, moves });
  }
  const final = history[history.length - 1];
  const outcome = outcomeOf((await store.getPlan(final.planId))!);
  return { status: final.status, planId, outcome, final, history };
}

/** Human summary of an executed plan chain. */
export function reportText(report: DrainReport): string {
  const lines: string[] = [];
  for (const p of report.history) {
    lines.push(`plan ${p.planId}: ${p.status}`);
    for (const m of p.moves) {
      const err = m.error ? `  ${m.error.code}: ${m.error.message}` : '';
      lines.push(`  ${m.name.padEnd(20)} ${m.from} -> ${m.to}  ${m.outcome}${err}`);
    }
  }
  if (report.outcome) lines.push(outcomeText(report.outcome));
  return `${lines.join('\n')}\n`;
}
