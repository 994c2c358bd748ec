/**
 * Capacity wave by wave. During wave k a host carries its usage after waves < k plus everything
 * arriving in wave k (sources are released only when a move finishes).
 *
 * Rule, per host and per resource (vCPU, memory, local disk): the arrivals of a wave must fit in
 * the room left, `usage + arriving <= max(capacity, usage)`, where usage is the host's usage
 * after the earlier waves. So a host within capacity is never pushed over it, and a host that
 * was already over capacity before the plan (balance may be repairing it) receives nothing of
 * that resource until departures bring it back within capacity; its usage never exceeds its
 * usage before the plan and never grows while it is over capacity.
 */
import type { Instance } from '../model/inventory.js';
import type { Move } from '../model/plan.js';
import { demand, report, type VerifyContext } from './context.js';

/** Absolute slack for floating-point sums of MiB / GB / vCPU figures. */
const EPS = 1e-6;
const RESOURCES = [
  { name: 'vCPU', unit: 'vCPUs' },
  { name: 'memory', unit: 'MiB' },
  { name: 'local disk', unit: 'GB' },
] as const;

/** One move the capacity tracker applies: indexes resolved, instance known. */
export interface TrackedMove {
  move: Move;
  inst: Instance;
  from: number;
  to: number;
}

export interface CapacityTracker {
  /** Checks one wave's arrivals, then applies the wave. */
  wave(wave: number, moves: readonly TrackedMove[]): void;
}

export function createCapacityTracker(ctx: VerifyContext): CapacityTracker {
  // The tracker owns the usage arrays from here on: it applies each wave to them.
  const used = ctx.usage;
  const capacity = (to: number): [number, number, number] => {
    const h = ctx.hosts[to];
    return [
      (h.vcpus - h.reservedVcpus) * h.cpuAllocationRatio,
      (h.memoryMb - h.reservedMemoryMb) * h.ramAllocationRatio,
      (h.diskGb - h.reservedDiskGb) * h.diskAllocationRatio,
    ];
  };

  function check(wave: number, to: number, arriving: TrackedMove[]): void {
    const cap = capacity(to);
    const add = [0, 0, 0];
    for (const t of arriving) {
      const d = demand(t.inst);
      for (let r = 0; r < 3; r++) add[r] += d[r];
    }
    for (let r = 0; r < 3; r++) {
      if (add[r] === 0) continue;
      const base = used[r][to];
      const limit = Math.max(cap[r], base);
      if (base + add[r] <= limit + EPS) continue;
      const names = arriving.map((t) => t.inst.name);
      const { name, unit } = RESOURCES[r];
      const why = base > cap[r] ? ` (already over capacity: ${fmt(base)} in use)` : ` (${fmt(base)} in use)`;
      report(ctx, {
        wave,
        code: 'CAPACITY',
        instance: arriving[arriving.length - 1].inst.id,
        host: ctx.hosts[to].name,
        message:
          `${ctx.hosts[to].name} ${name} in wave ${wave}: ${fmt(base)} + ${fmt(add[r])} arriving ` +
          `(${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}) = ${fmt(base + add[r])} > capacity ` +
          `${fmt(cap[r])} ${unit}${why}`,
      });
    }
  }

  return {
    wave(wave, moves) {
      const byDest = new Map<number, TrackedMove[]>();
      for (const t of moves) {
        let list = byDest.get(t.to);
        if (!list) {
          list = [];
          byDest.set(t.to, list);
        }
        list.push(t);
      }
      for (const [to, arriving] of byDest) check(wave, to, arriving);
      for (const t of moves) {
        const d = demand(t.inst);
        for (let r = 0; r < 3; r++) {
          used[r][t.to] += d[r];
          used[r][t.from] -= d[r];
        }
      }
    },
  };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
