/**
 * JSON views of stored plans (the plan in the spec format plus execution state and links) and of
 * hosts, shared by the HTTP routes and the CLI. Typed by the response schemas the OpenAPI document
 * is generated from (src/http/contract/schemas.ts).
 */
import type { Host, Instance, Inventory } from '../../planner/index.js';
import { TERMINAL_MOVE_STATES, type MoveRecord, type PlanRecord } from '../../executor/store.js';
import { outcomeOf } from '../orchestrate/goal.js';
import { hostResources, instancesByHost } from '../report/capacity.js';
import type { PlanReader, PlanStatus } from '../orchestrate/lifecycle.js';
import type { MaintenanceRecord } from '../store/port.js';
import type { HostDetailView, HostView, PlanListView, PlanSummaryView, PlanView } from './contract/schemas.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

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
    startedAt: isoOrNull(m.startedAt),
    endedAt: isoOrNull(m.endedAt),
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
export function planSummaryView(r: PlanRecord): PlanSummaryView {
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

/** Plans in a page when the caller does not say. */
export const DEFAULT_PLAN_PAGE = 100;

export interface PlanPageQuery {
  status?: PlanStatus[];
  /** @default DEFAULT_PLAN_PAGE */
  limit?: number;
  /** Cursor: the `next` of the previous page. */
  after?: string;
}

/**
 * One page of plans, newest first, as GET /plans lists them: `next` is the cursor of the following
 * page (null on the last). An `after` that names no plan is refused.
 */
export async function planPage(
  read: Pick<PlanReader, 'listPlans' | 'getPlanVersion'>,
  q: PlanPageQuery,
): Promise<{ ok: true; view: PlanListView } | { ok: false; unknownCursor: string }> {
  if (q.after !== undefined && !(await read.getPlanVersion(q.after))) return { ok: false, unknownCursor: q.after };
  const limit = q.limit ?? DEFAULT_PLAN_PAGE;
  // one more than the page tells whether a next page exists
  const plans = await read.listPlans({ status: q.status, limit: limit + 1, after: q.after });
  const page = plans.slice(0, limit);
  const next = plans.length > limit ? page[page.length - 1].id : null;
  return { ok: true, view: { plans: page.map(planSummaryView), next } };
}

/** A plan with every move's state and progress, and an ETA while it has moves left. */
export function planView(r: PlanRecord, moves: MoveRecord[]): PlanView {
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

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const ratio = (used: number, capacity: number) => (capacity > 0 ? round3(used / capacity) : 0);

export function hostView(h: Host, instances: Instance[], maintenance: MaintenanceRecord | undefined): HostView {
  const r = hostResources(h, instances);
  return {
    name: h.name,
    cell: h.cell,
    zone: h.zone,
    enabled: h.enabled,
    state: h.state,
    vcpus: h.vcpus,
    memoryMb: h.memoryMb,
    diskGb: h.diskGb,
    instances: instances.length,
    utilisation: {
      cpuAlloc: ratio(r.vcpus.allocated, r.vcpus.capacity),
      memAlloc: ratio(r.memoryMb.allocated, r.memoryMb.capacity),
      diskAlloc: ratio(r.diskGb.allocated, r.diskGb.capacity),
      cpuUsage: h.cpuUsage,
    },
    maintenance: maintenance
      ? { since: new Date(maintenance.since).toISOString(), reason: maintenance.reason, planId: maintenance.planId }
      : null,
  };
}

/** The hosts of an inventory (optionally one cell's) with utilisation and maintenance, as GET /hosts lists them. */
export function hostListView(inventory: Inventory, maintenance: MaintenanceRecord[], cell?: string): HostView[] {
  const instances = instancesByHost(inventory);
  const held = new Map(maintenance.map((m) => [m.host, m]));
  return inventory.hosts
    .filter((h) => cell === undefined || h.cell === cell)
    .map((h) => hostView(h, instances.get(h.name) ?? [], held.get(h.name)));
}

/** One host and its instances. */
export function hostDetailView(host: Host, inventory: Inventory, maintenance: MaintenanceRecord[]): HostDetailView {
  const instances = inventory.instances.filter((i) => i.host === host.name);
  return {
    ...hostView(
      host,
      instances,
      maintenance.find((m) => m.host === host.name),
    ),
    instanceList: instances.map((i) => ({
      id: i.id,
      name: i.name,
      status: i.status,
      vcpus: i.vcpus,
      memoryMb: i.memoryMb,
      diskGb: i.diskGb,
      storage: i.storage,
      serverGroup: i.serverGroup,
    })),
  };
}
