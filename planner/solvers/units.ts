/**
 * Turns the instances that must move into placement units: one unit per instance, except that the
 * moving members of an affinity group form one unit (they must end on one host). Candidate hosts
 * are those that pass every static rule for every member and the server group rules at the start.
 */
import type { ClusterView, Demand, UsageState } from '../constraints/index.js';
import { groupCheck, staticCheck } from '../constraints/index.js';
import type { Unit } from './problem.js';

/** A member that cannot be grouped: why, as a server group problem. */
export interface GroupBlock {
  instance: number;
  reason: string;
}

function sum(ds: Demand[]): Demand {
  const out: Demand = { vcpus: 0, memoryMb: 0, diskGb: 0, cores: 0 };
  for (const d of ds) {
    out.vcpus += d.vcpus;
    out.memoryMb += d.memoryMb;
    out.diskGb += d.diskGb;
    out.cores += d.cores;
  }
  return out;
}

function candidatesFor(view: ClusterView, base: UsageState, members: number[]): number[] {
  const rep = members[0];
  const src = view.hosts[view.hostIndex.get(view.instances[rep].host)!];
  const out: number[] = [];
  for (const h of view.hostsByCell.get(src.cell) ?? []) {
    if (members.every((m) => staticCheck(view, m, h).ok) && groupCheck(view, base, rep, h).ok) out.push(h);
  }
  return out;
}

/**
 * Builds units for `moving` (instance indexes, in order). `stuck` are instances on drained hosts
 * that cannot move (pinned, read-only devices): an affinity group with such a member cannot
 * follow it, so its moving members are returned in `blocked`.
 */
export function buildUnits(
  view: ClusterView,
  base: UsageState,
  moving: number[],
  stuck: ReadonlySet<number>,
): { units: Unit[]; blocked: GroupBlock[] } {
  const bundles = new Map<string, number[]>();
  const singles: number[][] = [];
  for (const i of moving) {
    const g = view.instances[i].serverGroup;
    if (g && view.groupPolicy.get(g) === 'affinity') {
      const list = bundles.get(g);
      if (list) list.push(i);
      else {
        const fresh = [i];
        bundles.set(g, fresh);
        singles.push(fresh); // keeps the bundle at its first member's position
      }
    } else singles.push([i]);
  }
  const blocked: GroupBlock[] = [];
  const units: Unit[] = [];
  for (const members of singles) {
    const g = view.instances[members[0]].serverGroup;
    const stuckMember = g && bundles.has(g) ? (view.groupMembers.get(g) ?? []).find((m) => stuck.has(m)) : undefined;
    if (stuckMember !== undefined) {
      const who = view.instances[stuckMember];
      for (const m of members)
        blocked.push({
          instance: m,
          reason:
            `instance ${view.instances[m].name}: affinity group ${g} must stay with ${who.name}, which cannot ` +
            `leave drained host ${who.host}`,
        });
      continue;
    }
    const candidates = candidatesFor(view, base, members);
    const antiGroup = g && view.groupPolicy.get(g) === 'anti-affinity' ? g : null;
    units.push({
      members,
      rep: members[0],
      demand: sum(members.map((m) => view.demands[m])),
      candidates,
      allowed: new Set(candidates),
      antiGroup,
    });
  }
  return { units, blocked };
}
