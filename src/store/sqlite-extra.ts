/** Maintenance claims and nightly run records of the SQLite store. */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ACTIVE_PLAN_STATUSES, type NewPlan, type PlanRecord } from '../../executor/store.js';
import type { ServiceStore } from './port.js';
import { prepared } from './statements.js';
import type { Synchronous } from './sync.js';
import { json, maintenanceFromRow, nightlyFromRow, type MaintenanceRow, type NightlyRow } from './rows.js';

export function maintenanceMethods(db: Database.Database) {
  const active = prepared<[string], MaintenanceRow>(
    db,
    'SELECT * FROM maintenance WHERE host = ? AND released_at IS NULL',
  );
  const insert = prepared(db, 'INSERT INTO maintenance (host, since, reason, plan_id) VALUES (?, ?, ?, ?)');
  // BEGIN IMMEDIATE takes the write lock first, so two processes racing for one host serialise here;
  // the partial unique index is the last line of defence.
  const claim = db.transaction((hosts: string[], c: { reason: string; planId: string | null; at: number }) => {
    const held = hosts.map((h) => active.get(h)).filter((r): r is MaintenanceRow => !!r);
    if (held.length) return { ok: false as const, heldBy: held.map(maintenanceFromRow) };
    for (const h of new Set(hosts)) insert.run(h, c.at, c.reason, c.planId);
    return { ok: true as const };
  });
  return {
    claimMaintenance: (hosts: string[], c: { reason: string; planId: string | null; at: number }) =>
      claim.immediate(hosts, c),
    releaseMaintenance: (host: string, at: number) => {
      prepared(db, 'UPDATE maintenance SET released_at = ? WHERE host = ? AND released_at IS NULL').run(at, host);
    },
    releaseMaintenanceOf: (planId: string, at: number) => {
      prepared(db, 'UPDATE maintenance SET released_at = ? WHERE plan_id = ? AND released_at IS NULL').run(at, planId);
    },
    listMaintenance: () =>
      prepared<[], MaintenanceRow>(db, 'SELECT * FROM maintenance WHERE released_at IS NULL ORDER BY host')
        .all()
        .map(maintenanceFromRow),
  } satisfies Partial<Synchronous<ServiceStore>>;
}

/**
 * createPlanClaiming: under one write lock (BEGIN IMMEDIATE, so racing processes serialise),
 * refuse hosts held by an active plan, end the other claims on them, claim them and store the plan.
 */
export function drainClaimMethods(db: Database.Database, createPlan: (input: NewPlan) => PlanRecord) {
  const active = prepared<[string], MaintenanceRow>(
    db,
    'SELECT * FROM maintenance WHERE host = ? AND released_at IS NULL',
  );
  const statusOf = prepared<[string], { status: string }>(db, 'SELECT status FROM plans WHERE id = ?');
  const release = prepared(db, 'UPDATE maintenance SET released_at = ? WHERE host = ? AND released_at IS NULL');
  const insert = prepared(db, 'INSERT INTO maintenance (host, since, reason, plan_id) VALUES (?, ?, ?, ?)');
  const isActive = (r: MaintenanceRow): boolean =>
    r.plan_id !== null && ACTIVE_PLAN_STATUSES.includes((statusOf.get(r.plan_id)?.status ?? 'failed') as never);
  const run = db.transaction((input: NewPlan & { id: string }, hosts: string[]) => {
    const unique = [...new Set(hosts)];
    const held = unique.map((h) => active.get(h)).filter((r): r is MaintenanceRow => !!r);
    const live = held.filter(isActive);
    if (live.length) return { ok: false as const, heldBy: live.map(maintenanceFromRow) };
    for (const h of unique) {
      release.run(input.at, h);
      insert.run(h, input.at, 'drain', input.id);
    }
    return { ok: true as const, record: createPlan(input) };
  });
  return {
    createPlanClaiming: (input: NewPlan & { id: string }, hosts: string[]) => run.immediate(input, hosts),
  } satisfies Partial<Synchronous<ServiceStore>>;
}

export function nightlyMethods(db: Database.Database) {
  const get = prepared<[string], NightlyRow>(db, 'SELECT * FROM nightly_runs WHERE id = ?');
  return {
    startNightlyRun: (run: { id?: string; mode: string; at: number }) => {
      const id = run.id ?? randomUUID();
      prepared(db, 'INSERT INTO nightly_runs (id, started_at, mode) VALUES (?, ?, ?)').run(id, run.at, run.mode);
      return nightlyFromRow(get.get(id)!);
    },
    finishNightlyRun: (id: string, result: unknown, at: number) => {
      prepared(db, 'UPDATE nightly_runs SET ended_at = ?, result_json = ? WHERE id = ?').run(at, json(result), id);
    },
    listNightlyRuns: (limit = 50) =>
      prepared<[number], NightlyRow>(db, 'SELECT * FROM nightly_runs ORDER BY started_at DESC, rowid DESC LIMIT ?')
        .all(limit)
        .map(nightlyFromRow),
  } satisfies Partial<Synchronous<ServiceStore>>;
}
