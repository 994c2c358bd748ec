/** Row <-> record mapping of the stores (SQLite and PostgreSQL keep the same columns). */
import type { MovePatch, MoveRecord, PlanEvent, PlanRecord, ProgressSample } from '../../executor/store.js';
import type { CampaignHostPatch, CampaignHostRecord, CampaignRecord, CampaignStatus } from '../maintenance/types.js';
import type { MaintenanceRecord, NightlyRunRecord } from './port.js';

export interface PlanRow {
  id: string;
  goal: string;
  plan_json: string;
  status: string;
  source: string;
  created_at: number;
  updated_at: number;
  supersedes: string | null;
  superseded_by: string | null;
  request_json: string | null;
  summary_json: string | null;
  error_json: string | null;
}
export interface MoveRow {
  plan_id: string;
  idx: number;
  move_json: string;
  state: string;
  attempts: number;
  error_json: string | null;
  progress_json: string | null;
  location_json: string | null;
  started_at: number | null;
  ended_at: number | null;
}
export interface ProgressRow {
  plan_id: string;
  idx: number;
  at: number;
  processed: number;
  remaining: number;
  total: number;
  dirty_rate: number | null;
  eta_seconds: number | null;
}
export interface EventRow {
  id: number;
  plan_id: string;
  move_idx: number | null;
  type: string;
  data_json: string | null;
  at: number;
}
export interface NightlyRow {
  id: string;
  started_at: number;
  ended_at: number | null;
  mode: string;
  result_json: string | null;
}

export const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const parse = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

export function planFromRow(r: PlanRow): PlanRecord {
  return {
    id: r.id,
    goal: r.goal as PlanRecord['goal'],
    plan: JSON.parse(r.plan_json),
    status: r.status as PlanRecord['status'],
    source: r.source as PlanRecord['source'],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    supersedes: r.supersedes,
    supersededBy: r.superseded_by,
    request: parse(r.request_json),
    summary: parse(r.summary_json),
    error: parse(r.error_json),
  };
}

export function moveFromRow(r: MoveRow): MoveRecord {
  return {
    planId: r.plan_id,
    index: r.idx,
    move: JSON.parse(r.move_json),
    state: r.state as MoveRecord['state'],
    attempts: r.attempts,
    error: parse(r.error_json),
    lastProgress: parse(r.progress_json),
    location: parse(r.location_json),
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}

export function progressFromRow(r: ProgressRow): ProgressSample {
  return {
    planId: r.plan_id,
    index: r.idx,
    at: r.at,
    processedBytes: r.processed,
    remainingBytes: r.remaining,
    totalBytes: r.total,
    dirtyRateBps: r.dirty_rate,
    etaSeconds: r.eta_seconds,
  };
}

export function eventFromRow(r: EventRow): PlanEvent {
  return { id: r.id, planId: r.plan_id, moveIndex: r.move_idx, type: r.type, data: parse(r.data_json), at: r.at };
}

export function nightlyFromRow(r: NightlyRow): NightlyRunRecord {
  return { id: r.id, startedAt: r.started_at, endedAt: r.ended_at, mode: r.mode, result: parse(r.result_json) };
}

export interface CampaignRow {
  id: string;
  request_json: string;
  forecast_json: string;
  status: string;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface CampaignHostRow {
  campaign_id: string;
  host: string;
  step: number;
  state: string;
  plan_id: string | null;
  reason: string | null;
  since: number;
}

export const campaignFromRow = (r: CampaignRow): CampaignRecord => ({
  id: r.id,
  request: JSON.parse(r.request_json),
  forecast: JSON.parse(r.forecast_json),
  status: r.status as CampaignStatus,
  reason: r.reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const hostFromRow = (r: CampaignHostRow): CampaignHostRecord => ({
  campaignId: r.campaign_id,
  host: r.host,
  step: r.step,
  state: r.state as CampaignHostRecord['state'],
  planId: r.plan_id,
  reason: r.reason,
  since: r.since,
});

export interface MaintenanceRow {
  host: string;
  since: number;
  reason: string;
  plan_id: string | null;
}

export const maintenanceFromRow = (r: MaintenanceRow): MaintenanceRecord => ({
  host: r.host,
  since: r.since,
  reason: r.reason,
  planId: r.plan_id,
});

/** A column an update sets and the value it stores; each store writes its own placeholders. */
export type Assignment = [column: string, value: unknown];

const MOVE_COLUMNS: Record<keyof MovePatch, string> = {
  state: 'state',
  attempts: 'attempts',
  error: 'error_json',
  location: 'location_json',
  startedAt: 'started_at',
  endedAt: 'ended_at',
};

/** The `moves` columns `patch` sets, with their stored values (documents as JSON text). */
export function moveAssignments(patch: MovePatch): Assignment[] {
  return (Object.keys(patch) as (keyof MovePatch)[])
    .filter((k) => k in MOVE_COLUMNS)
    .map((k) => [MOVE_COLUMNS[k], k === 'error' || k === 'location' ? json(patch[k]) : patch[k]]);
}

/** The `campaign_hosts` columns `patch` sets at `at`: a new state also restarts `since`. */
export function campaignHostAssignments(patch: CampaignHostPatch, at: number): Assignment[] {
  const sets: Assignment[] = [];
  if (patch.state !== undefined) sets.push(['state', patch.state], ['since', at]);
  if (patch.planId !== undefined) sets.push(['plan_id', patch.planId]);
  if (patch.reason !== undefined) sets.push(['reason', patch.reason]);
  return sets;
}
