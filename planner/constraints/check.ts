/**
 * Can this instance go to that host? One predicate per hard rule of the spec, checked in a fixed
 * order so the first failure is the most basic one: target eligibility, exclusions, hypervisor,
 * CPU, server groups, capacity. O(1) per check except the affinity scan (O(group hosts)).
 */
import type { UnplacedCode } from '../model/plan.js';
import { cpuRefusal } from './cpu.js';
import type { ClusterView, Demand } from './view.js';
import { pairKey } from './view.js';
import type { UsageState } from './state.js';
import { EPS, freeOf } from './state.js';

/** Codes a destination check can produce (PINNED, READONLY_DEVICE, MOVE_LIMIT come from elsewhere). */
export type BlockCode = Exclude<UnplacedCode, 'PINNED' | 'READONLY_DEVICE' | 'MOVE_LIMIT'>;

/** How far a check got before failing: higher means closer to a valid placement. */
export const STAGE: Record<BlockCode, number> = {
  NO_TARGET_IN_CELL: 0,
  EXCLUDED: 1,
  HYPERVISOR_INCOMPATIBLE: 2,
  CPU_INCOMPATIBLE: 3,
  SERVER_GROUP: 4,
  NO_CAPACITY: 5,
};

/** What a host lacks for a placement, per resource (0 where it has enough). */
export interface Lack {
  vcpus: number;
  memoryMb: number;
  diskGb: number;
  /** Largest shortfall as a fraction of the host's usable capacity: ranks "closest" hosts. */
  score: number;
}

export type TargetCheck = { ok: true } | { ok: false; code: BlockCode; detail: string; lack?: Lack };

const OK: TargetCheck = { ok: true };

function fail(code: BlockCode, detail: string, lack?: Lack): TargetCheck {
  return { ok: false, code, detail, lack };
}

/**
 * Rules that do not depend on what else moves: same cell, eligible target, exclusions,
 * hypervisor type and version, CPU model. Cheap; strategies use it to build candidate lists once.
 */
export function staticCheck(view: ClusterView, i: number, h: number): TargetCheck {
  const inst = view.instances[i];
  const host = view.hosts[h];
  const src = view.hosts[view.hostIndex.get(inst.host)!];
  if (host.name === inst.host) return fail('NO_TARGET_IN_CELL', `${host.name} is the instance's current host`);
  if (host.cell !== src.cell) return fail('NO_TARGET_IN_CELL', `${host.name} is in cell ${host.cell}, not ${src.cell}`);
  if (!host.enabled) return fail('NO_TARGET_IN_CELL', `${host.name} is disabled`);
  if (host.state !== 'up') return fail('NO_TARGET_IN_CELL', `${host.name} is down`);
  if (view.drained[h]) return fail('NO_TARGET_IN_CELL', `${host.name} is being drained`);
  if (view.avoided[h]) return fail('NO_TARGET_IN_CELL', `${host.name} is on the avoid list`);
  if (view.excludedHost[h]) return fail('EXCLUDED', `${host.name} is excluded`);
  if (view.excludedPairs.size > 0 && view.excludedPairs.has(pairKey(inst.id, host.name)))
    return fail('EXCLUDED', `${host.name} is excluded for this instance`);
  if (host.hypervisorType !== src.hypervisorType) {
    return fail(
      'HYPERVISOR_INCOMPATIBLE',
      `${host.name} runs ${host.hypervisorType}, the source runs ${src.hypervisorType}`,
    );
  }
  if (host.hypervisorVersion < src.hypervisorVersion) {
    return fail(
      'HYPERVISOR_INCOMPATIBLE',
      `${host.name} has ${host.hypervisorType} ${host.hypervisorVersion}, older than the source's ` +
        `${src.hypervisorVersion}`,
    );
  }
  const cpu = cpuRefusal(view, i, h, src.cpuModel);
  if (cpu !== null) return fail('CPU_INCOMPATIBLE', cpu);
  return OK;
}

/** Server group rules for instance `i` landing on host `h` in state `s`. */
export function groupCheck(view: ClusterView, s: UsageState, i: number, h: number): TargetCheck {
  const inst = view.instances[i];
  const group = inst.serverGroup;
  if (!group) return OK;
  const policy = view.groupPolicy.get(group);
  const perHost = s.groupCount.get(group);
  if (!perHost) return OK;
  const host = view.hosts[h].name;
  if (policy === 'anti-affinity' && (perHost.get(h) ?? 0) > 0) {
    return fail('SERVER_GROUP', `anti-affinity group ${group} already has a member on ${host}`);
  }
  if (policy !== 'affinity') return OK;
  const src = view.hostIndex.get(inst.host);
  for (const [k, count] of perHost) {
    // Members on drained hosts are leaving; the instance itself does not count on its source.
    if (k === h || view.drained[k] || (k === src && count <= 1)) continue;
    return fail('SERVER_GROUP', `affinity group ${group} has members on ${view.hosts[k].name}, not ${host}`);
  }
  return OK;
}

/** What host `h` lacks for demand `d` in state `s`; null when it fits. */
export function lackOf(view: ClusterView, s: UsageState, h: number, d: Demand): Lack | null {
  const free = freeOf(view, s, h);
  const vcpus = Math.max(0, d.vcpus - free.vcpus);
  const memoryMb = Math.max(0, d.memoryMb - free.memoryMb);
  const diskGb = Math.max(0, d.diskGb - free.diskGb);
  if (vcpus <= EPS && memoryMb <= EPS && diskGb <= EPS) return null;
  const rel = (x: number, cap: number) => (x <= EPS ? 0 : cap > 0 ? x / cap : Infinity);
  const c = view.capacity;
  const score = Math.max(rel(vcpus, c.vcpus[h]), rel(memoryMb, c.memoryMb[h]), rel(diskGb, c.diskGb[h]));
  return { vcpus, memoryMb, diskGb, score };
}

/**
 * Every hard rule for moving instance `i` to host `h` given the usage in `s`. `demand` defaults
 * to the instance's own; pass a sum to check a group of instances that move together.
 */
export function checkTarget(
  view: ClusterView,
  i: number,
  h: number,
  s: UsageState,
  demand: Demand = view.demands[i],
): TargetCheck {
  const st = staticCheck(view, i, h);
  if (!st.ok) return st;
  const gr = groupCheck(view, s, i, h);
  if (!gr.ok) return gr;
  const lack = lackOf(view, s, h, demand);
  if (lack) return fail('NO_CAPACITY', `${view.hosts[h].name} lacks ${describeLack(lack)}`, lack);
  return OK;
}

/** "3072 MB memory and 0 vCPU" (+ disk when some is lacking): what a host is short of. */
export function describeLack(l: Lack): string {
  const mb = Math.ceil(l.memoryMb - EPS);
  const vcpu = Math.round(Math.max(0, l.vcpus) * 100) / 100;
  const disk = l.diskGb > EPS ? `, ${Math.ceil(l.diskGb - EPS)} GB disk` : '';
  return `${Math.max(0, mb)} MB memory and ${vcpu} vCPU${disk}`;
}
