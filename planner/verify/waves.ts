/**
 * Wave numbering: integers from 0 without gaps. Returns the moves bucketed by wave, in plan
 * order inside a wave; moves with an unusable wave number are reported and left out.
 */
import type { Move } from '../model/plan.js';
import { report, type VerifyContext } from './context.js';

export function bucketByWave(ctx: VerifyContext, moves: readonly Move[]): Move[][] {
  const buckets = new Map<number, Move[]>();
  for (const m of moves) {
    if (!Number.isInteger(m.wave) || m.wave < 0) {
      report(ctx, {
        wave: null,
        code: 'WAVE_NUMBER',
        instance: m.instance,
        host: m.to,
        message: `move of ${m.instance} has wave ${JSON.stringify(m.wave)}: expected an integer >= 0`,
      });
      continue;
    }
    let b = buckets.get(m.wave);
    if (!b) {
      b = [];
      buckets.set(m.wave, b);
    }
    b.push(m);
  }
  const used = [...buckets.keys()].sort((a, b) => a - b);
  const out: Move[][] = [];
  for (let k = 0; k < used.length; k++) {
    if (used[k] !== k) {
      report(ctx, {
        wave: used[k],
        code: 'WAVE_GAP',
        message: `waves must be numbered 0, 1, 2, ... without gaps: wave ${k} is missing before wave ${used[k]}`,
      });
    }
    out.push(buckets.get(used[k])!);
  }
  return out;
}
