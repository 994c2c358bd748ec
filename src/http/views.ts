/** JSON views of stored plans: the plan in the spec format plus execution state and links. */
import { outcomeOf } from '../orchestrate/goal.js';
import { TERMINAL_MOVE_STATES, type MoveRecord, type PlanRecord } from '../../executor/store.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function planLinks(id: string) {
  const self = `/plans/${encodeURIComponent(id)}`;
  return { self, execute: `${self}/execute`, cancel: `${self}/cancel`, events: `${self}/events` };
}

function moveView(m: MoveRecord) {
  const p = m.lastProgress;
  const done = m.state === 'succeeded';
  return {
    index: m.index,
    ...m.move,
    state: m.state,
    attempts: m.attempts,
    progress: {
      percent: done ? 100 : p && p.totalBytes > 0 ? Math.round((p.processedBytes / p.totalBytes) * 1000) / 10 : 0,
      processedBytes: p?.processedBytes ?? null,
      totalBytes: p?.totalBytes ?? null,
      etaSeconds: p?.etaSeconds ?? null,
    },
    error: m.error,
    startedAt: iso(m.startedAt),
    endedAt: iso(m.endedAt),
  };
}

/**
 * Seconds until the plan ends, assuming waves run one after the other and the moves of a wave
 * in parallel: per wave, the longest remaining move (live ETA when migrating, else the estimate).
 */
export function etaSeconds(moves: MoveRecord[]): number {
  const perWave = new Map<number, number>();
  for (const m of moves) {
    if (TERMINAL_MOVE_STATES.includes(m.state)) continue;
    const left =
      m.state === 'pending' ? m.move.estimatedSeconds : (m.lastProgress?.etaSeconds ?? m.move.estimatedSeconds);
    perWave.set(m.move.wave, Math.max(perWave.get(m.move.wave) ?? 0, left));
  }
  return Math.round([...perWave.values()].reduce((a, b) => a + b, 0) * 10) / 10;
}

function header(r: PlanRecord) {
  return {
    id: r.id,
    status: r.status,
    source: r.source,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    supersedes: r.supersedes,
    supersededBy: r.supersededBy,
    request: r.request,
  };
}

/** A plan in a list: no moves, only counts. */
export function planSummaryView(r: PlanRecord) {
  return {
    ...header(r),
    goal: r.plan.goal,
    target: r.plan.target,
    feasible: r.plan.feasible,
    moveCount: r.plan.moves.length,
    unplacedCount: r.plan.unplaced.length,
    links: planLinks(r.id),
  };
}

/** A plan with every move's state and progress, and an ETA while it has moves left. */
export function planView(r: PlanRecord, moves: MoveRecord[]) {
  const byState: Record<string, number> = {};
  for (const m of moves) byState[m.state] = (byState[m.state] ?? 0) + 1;
  return {
    ...header(r),
    ...r.plan,
    moves: moves.map(moveView),
    progress: {
      movesTotal: moves.length,
      movesDone: moves.filter((m) => TERMINAL_MOVE_STATES.includes(m.state)).length,
      byState,
    },
    etaSeconds: etaSeconds(moves),
    summary: r.summary ?? null,
    outcome: outcomeOf(r),
    error: r.error,
    links: planLinks(r.id),
  };
}
