/**
 * Admission control: a move may start only while the global limit and the per-host outbound
 * (its source) and inbound (its destination) limits all have room.
 */
import type { ConcurrencyLimits } from './options.js';

export interface Admission {
  canStart(from: string, to: string): boolean;
  acquire(from: string, to: string): void;
  release(from: string, to: string): void;
  inFlight(): number;
}

export function createAdmission(limits: ConcurrencyLimits): Admission {
  let total = 0;
  const out = new Map<string, number>();
  const inb = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string, d: number) => m.set(k, (m.get(k) ?? 0) + d);
  return {
    canStart: (from, to) =>
      total < limits.global &&
      (out.get(from) ?? 0) < limits.perHostOutbound &&
      (inb.get(to) ?? 0) < limits.perHostInbound,
    acquire(from, to) {
      total++;
      bump(out, from, 1);
      bump(inb, to, 1);
    },
    release(from, to) {
      total--;
      bump(out, from, -1);
      bump(inb, to, -1);
    },
    inFlight: () => total,
  };
}
