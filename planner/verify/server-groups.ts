/**
 * Server groups. Anti-affinity holds at every moment: during a wave an instance in flight counts
 * on its source and its destination, so a wave may bring at most one member of a group to a
 * host, and only to a host where no member is (or still is) present. Members that already shared
 * a host before the plan are tolerated (the plan may not make it worse). Affinity holds at the
 * end: the members end on one host (or, if they were already spread, on no more hosts than before).
 * Soft policies are preferences and are not checked.
 */
import { report, type VerifyContext } from './context.js';
import type { TrackedMove } from './capacity.js';

export interface GroupTracker {
  wave(wave: number, moves: readonly TrackedMove[]): void;
  /** End-of-plan affinity check. */
  finish(): void;
}

export function createGroupTracker(ctx: VerifyContext): GroupTracker {
  // group id -> host index -> members present
  // The tracker owns the membership counts from here on: it applies each wave to them.
  const where = ctx.members;
  const hostsBefore = new Map<string, number>();
  const policyOf = (id: string | null) => (id === null ? undefined : ctx.groups.get(id)?.policy);
  for (const [g, m] of where) hostsBefore.set(g, m.size);

  function checkAnti(wave: number, moves: readonly TrackedMove[]): void {
    const arriving = new Map<string, TrackedMove[]>();
    for (const t of moves) {
      const g = t.inst.serverGroup;
      if (policyOf(g) !== 'anti-affinity') continue;
      const key = `${g}\u0000${t.to}`;
      const list = arriving.get(key);
      if (list) list.push(t);
      else arriving.set(key, [t]);
    }
    for (const list of arriving.values()) {
      const { inst, to } = list[0];
      const present = where.get(inst.serverGroup!)!.get(to) ?? 0;
      if (present === 0 && list.length === 1) continue;
      const host = ctx.hosts[to].name;
      report(ctx, {
        wave,
        code: 'ANTI_AFFINITY',
        instance: list[list.length - 1].inst.id,
        host,
        message:
          `anti-affinity group ${inst.serverGroup} in wave ${wave}: ${present} member(s) on ${host} and ` +
          `${list.length} arriving (${list.map((t) => t.inst.name).join(', ')})`,
      });
    }
  }

  function apply(moves: readonly TrackedMove[]): void {
    for (const t of moves) {
      const m = where.get(t.inst.serverGroup ?? '');
      if (!m) continue;
      const left = (m.get(t.from) ?? 0) - 1;
      if (left > 0) m.set(t.from, left);
      else m.delete(t.from);
      m.set(t.to, (m.get(t.to) ?? 0) + 1);
    }
  }

  return {
    wave(wave, moves) {
      checkAnti(wave, moves);
      apply(moves);
    },
    finish() {
      for (const [g, m] of where) {
        if (policyOf(g) !== 'affinity' || m.size <= Math.max(1, hostsBefore.get(g)!)) continue;
        const hosts = [...m.keys()].map((i) => ctx.hosts[i].name).sort();
        report(ctx, {
          wave: null,
          code: 'AFFINITY',
          host: hosts[0],
          message: `affinity group ${g} ends on ${m.size} hosts (${hosts.join(', ')}), expected one host`,
        });
      }
    },
  };
}
