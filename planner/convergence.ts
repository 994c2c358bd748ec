/**
 * Bandwidth share and convergence of each move of a plan. Pure.
 *
 * A migration's **bandwidth share** (Mbit/s) is the slower host's migration link divided among
 * the live/block moves of the same wave that use it (the executor runs at most
 * `migrationsPerLink` of them on one host at once), capped by the per-migration limit:
 *   share = min(src link / min(leaving src, L), dst link / min(arriving at dst, L), cap)
 * **Convergence rule**: pre-copy resends what the guest dirtied during the previous round, so it
 * only shrinks while the dirty rate stays below the bandwidth; near it rounds barely shrink and a
 * one-second sample of the dirty rate can be low. A move whose guest dirties memory at
 * {@link CONVERGENCE_LIMIT} (80 %) of its share or more is marked `converges: false`; an
 * unknown dirty rate is assumed to converge.
 */
import type { Host, Instance } from './model/inventory.js';
import type { Move } from './model/plan.js';
import { bandwidthMbps, MBIT_PER_MIB } from './estimate.js';

/** Dirty rate / bandwidth share from which pre-copy is predicted not to converge. */
export const CONVERGENCE_LIMIT = 0.8;
/** Moves sharing one host's link at once when the options do not say (the executor's default). */
export const DEFAULT_MIGRATIONS_PER_LINK = 2;

export interface LinkOptions {
  /** Per-migration bandwidth cap in MiB/s (the executor's `bandwidthMiBps`); 0 = none. @default 0 */
  migrationBandwidthMiBps?: number;
  /** Migrations running at once on one host's link (the executor's per-host limits). @default 2 */
  migrationsPerLink?: number;
}

/** True when a guest dirtying `dirtyMbps` is expected to converge at `shareMbps`. */
export function converges(dirtyMbps: number | null | undefined, shareMbps: number): boolean {
  return dirtyMbps == null || dirtyMbps < CONVERGENCE_LIMIT * shareMbps;
}

const key = (wave: number, host: string) => `${wave}\u0000${host}`;

/** Bandwidth share of each move (Mbit/s), in the order of `moves`; see the module comment. */
export function bandwidthShares(
  moves: readonly Move[],
  hosts: ReadonlyMap<string, Host>,
  o: LinkOptions = {},
): number[] {
  const perLink = Math.max(1, o.migrationsPerLink ?? DEFAULT_MIGRATIONS_PER_LINK);
  const out = new Map<string, number>();
  const into = new Map<string, number>();
  for (const m of moves) {
    if (m.mode === 'cold') continue;
    out.set(key(m.wave, m.from), (out.get(key(m.wave, m.from)) ?? 0) + 1);
    into.set(key(m.wave, m.to), (into.get(key(m.wave, m.to)) ?? 0) + 1);
  }
  const cap =
    o.migrationBandwidthMiBps && o.migrationBandwidthMiBps > 0 ? o.migrationBandwidthMiBps * MBIT_PER_MIB : Infinity;
  return moves.map((m) => {
    const src = hosts.get(m.from)!;
    const dst = hosts.get(m.to)!;
    const link = bandwidthMbps(src, dst);
    const sharing = Math.min(perLink, Math.max(out.get(key(m.wave, m.from)) ?? 1, into.get(key(m.wave, m.to)) ?? 1));
    return Math.min(link / sharing, cap);
  });
}

/**
 * The moves, `converges: false` where the rule above predicts pre-copy will not converge (the
 * executor then starts them with auto-converge, or post-copy where permitted). `estimatedSeconds`
 * stays the estimate of the move alone on its link: the balance search fits its time budget
 * with it.
 */
export function withConvergence(
  moves: readonly Move[],
  instances: ReadonlyMap<string, Instance>,
  hosts: ReadonlyMap<string, Host>,
  o: LinkOptions = {},
): Move[] {
  const shares = bandwidthShares(moves, hosts, o);
  return moves.map((m, k) => {
    const { converges: _, ...rest } = m;
    const ok = m.mode === 'cold' || converges(instances.get(m.instance)!.dirtyRateMbps, shares[k]);
    return ok ? rest : { ...rest, converges: false };
  });
}
