/** Helpers for store tests: a fresh temp directory per test and a small plan. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Move, Plan } from '../../planner/index.js';

export function tempDbPath(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rebalancer-store-'));
  return { path: join(dir, 'state.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function move(k: number, over: Partial<Move> = {}): Move {
  return {
    instance: `vm-${k}`,
    name: `vm${k}`,
    from: 'HostA',
    to: 'HostB',
    mode: 'live',
    wave: 0,
    estimatedSeconds: 10,
    timeoutSeconds: 1600,
    gib: 2,
    ...over,
  };
}

export function samplePlan(moves = 3): Plan {
  return {
    goal: 'drain',
    target: { hosts: ['HostA'] },
    feasible: true,
    moves: Array.from({ length: moves }, (_, k) => move(k)),
    unplaced: [],
    metrics: {
      before: {},
      after: {},
      moves,
      gibToCopy: 2 * moves,
      waves: 1,
      method: 'test',
      objective: 0,
      lowerBound: 0,
      gap: 0,
    },
  };
}
