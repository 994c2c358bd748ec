/**
 * Maintenance claims, nightly runs, aggregates, the readiness probe and campaigns of the
 * PostgreSQL store (guarantees: ./store.ts).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  ACTIVE_PLAN_STATUSES,
  PLAN_STATUSES,
  TERMINAL_MOVE_STATES,
  type ExecutorStore,
  type MoveEnding,
  type MoveState,
  type NewPlan,
  type PlanStatus,
} from '../../../executor/store.js';
import type { CampaignHostPatch, CampaignStatus, CampaignStore, NewCampaign } from '../../maintenance/types.js';
import type { ServiceStore } from '../port.js';
import {
  campaignFromRow,
  campaignHostAssignments,
  hostFromRow,
  json,
  moveFromRow,
  maintenanceFromRow,
  nightlyFromRow,
  type CampaignHostRow,
  type CampaignRow,
  type MaintenanceRow,
  type MoveRow,
  type NightlyRow,
} from '../rows.js';
import { insertPlan } from './plans.js';
import { transaction, xactLock } from './pool.js';

/** Sets a campaign's status and time; its reason too, unless `reason` is undefined (then it is kept). */
async function writeCampaignStatus(
  q: pg.Pool | pg.ClientBase,
  id: string,
  status: CampaignStatus,
  at: number,
  reason: string | null | undefined,
): Promise<void> {
  if (reason === undefined)
    await q.query('UPDATE campaigns SET status = $2, updated_at = $3 WHERE id = $1', [id, status, at]);
  else
    await q.query('UPDATE campaigns SET status = $2, updated_at = $3, reason = $4 WHERE id = $1', [
      id,
      status,
      at,
      reason,
    ]);
}

/** The active claims on `hosts` (each once), in the order of `hosts`. */
async function activeClaims(c: pg.ClientBase, hosts: string[]): Promise<MaintenanceRow[]> {
  const { rows } = await c.query<MaintenanceRow>(
    'SELECT host, since, reason, plan_id FROM maintenance WHERE host = ANY($1::text[]) AND released_at IS NULL',
    [hosts],
  );
  return hosts.flatMap((h) => rows.filter((r) => r.host === h));
}

async function insertClaims(c: pg.ClientBase, hosts: string[], at: number, reason: string, planId: string | null) {
  await c.query(
    'INSERT INTO maintenance (host, since, reason, plan_id) SELECT h, $2, $3, $4 FROM unnest($1::text[]) AS h',
    [hosts, at, reason, planId],
  );
}

type Service = Omit<ServiceStore, keyof ExecutorStore | keyof CampaignStore>;

export function maintenanceMethods(pool: pg.Pool) {
  const release = (where: string, arg: string, at: number) =>
    transaction(pool, async (c) => {
      await xactLock(c, 'claims');
      await c.query(`UPDATE maintenance SET released_at = $1 WHERE ${where} AND released_at IS NULL`, [at, arg]);
    });
  return {
    claimMaintenance: (hosts: string[], claim: { reason: string; planId: string | null; at: number }) =>
      transaction(pool, async (c) => {
        // every claim change takes this lock: racing claimers (any replica) run one after the other
        await xactLock(c, 'claims');
        const unique = [...new Set(hosts)];
        const held = await activeClaims(c, unique);
        if (held.length) return { ok: false as const, heldBy: held.map(maintenanceFromRow) };
        await insertClaims(c, unique, claim.at, claim.reason, claim.planId);
        return { ok: true as const };
      }),
    createPlanClaiming: (input: NewPlan & { id: string }, hosts: string[]) =>
      transaction(pool, async (c) => {
        await xactLock(c, 'claims');
        const unique = [...new Set(hosts)];
        const held = await activeClaims(c, unique);
        // FOR SHARE: a holder's status cannot change until this decision is committed
        const holders = [...new Set(held.map((r) => r.plan_id).filter((id): id is string => id !== null))];
        const { rows } = await c.query<{ id: string; status: string }>(
          'SELECT id, status FROM plans WHERE id = ANY($1::text[]) FOR SHARE',
          [holders],
        );
        const active = new Set(
          rows.filter((r) => ACTIVE_PLAN_STATUSES.includes(r.status as PlanStatus)).map((r) => r.id),
        );
        const live = held.filter((r) => r.plan_id !== null && active.has(r.plan_id));
        if (live.length) return { ok: false as const, heldBy: live.map(maintenanceFromRow) };
        await c.query('UPDATE maintenance SET released_at = $1 WHERE host = ANY($2::text[]) AND released_at IS NULL', [
          input.at,
          unique,
        ]);
        await insertClaims(c, unique, input.at, 'drain', input.id);
        return { ok: true as const, record: await insertPlan(c, input as NewPlan) };
      }),
    releaseMaintenance: (host: string, at: number) => release('host = $2', host, at),
    releaseMaintenanceOf: (planId: string, at: number) => release('plan_id = $2', planId, at),
    listMaintenance: async () => {
      const { rows } = await pool.query<MaintenanceRow>(
        'SELECT host, since, reason, plan_id FROM maintenance WHERE released_at IS NULL ORDER BY host',
      );
      return rows.map(maintenanceFromRow);
    },
  } satisfies Partial<Service>;
}

export function nightlyMethods(pool: pg.Pool) {
  return {
    startNightlyRun: async (run: { id?: string; mode: string; at: number }) => {
      const { rows } = await pool.query<NightlyRow>(
        'INSERT INTO nightly_runs (id, started_at, mode) VALUES ($1, $2, $3) RETURNING *',
        [run.id ?? randomUUID(), run.at, run.mode],
      );
      return nightlyFromRow(rows[0]);
    },
    finishNightlyRun: async (id: string, result: unknown, at: number) => {
      await pool.query('UPDATE nightly_runs SET ended_at = $1, result_json = $2 WHERE id = $3', [at, json(result), id]);
    },
    listNightlyRuns: async (limit = 50) => {
      const { rows } = await pool.query<NightlyRow>(
        'SELECT * FROM nightly_runs ORDER BY started_at DESC, seq DESC LIMIT $1',
        [limit],
      );
      return rows.map(nightlyFromRow);
    },
  } satisfies Partial<Service>;
}

const TERMINAL = TERMINAL_MOVE_STATES.map((s) => `'${s}'`).join(',');

// the first terminal history row of each move: a state written twice is still one ending
const ENDINGS_SQL = `SELECT h.id AS ending_id, h.state AS ending_state, m.*
  FROM move_history h JOIN moves m ON m.plan_id = h.plan_id AND m.idx = h.idx
  WHERE h.id > $1 AND h.state IN (${TERMINAL})
    AND NOT EXISTS (SELECT 1 FROM move_history p WHERE p.plan_id = h.plan_id AND p.idx = h.idx
      AND p.id < h.id AND p.state IN (${TERMINAL}))
  ORDER BY h.id LIMIT $2`;

export function totalsMethods(pool: pg.Pool) {
  return {
    planTotals: async () => {
      const byStatus = Object.fromEntries(PLAN_STATUSES.map((s) => [s, 0])) as Record<PlanStatus, number>;
      let replans = 0;
      const { rows } = await pool.query<{ key: string; n: number }>('SELECT key, n FROM plan_totals');
      for (const { key, n } of rows) {
        if (key === 'replans') replans = n;
        else if (key.startsWith('status:')) byStatus[key.slice('status:'.length) as PlanStatus] = n;
      }
      return { byStatus, replans };
    },
    listMoveEndings: async (afterId: number, limit: number): Promise<MoveEnding[]> => {
      const { rows } = await pool.query<MoveRow & { ending_id: number; ending_state: string }>(ENDINGS_SQL, [
        afterId,
        limit,
      ]);
      return rows.map((r) => ({ id: r.ending_id, state: r.ending_state as MoveState, record: moveFromRow(r) }));
    },
    countMoves: async (states: readonly MoveState[]) => {
      if (!states.length) return 0;
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*) AS n FROM moves WHERE state = ANY($1::text[])',
        [states],
      );
      return rows[0].n;
    },
    probeWrite: async (at: number) => {
      await pool.query(
        'INSERT INTO heartbeat (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at',
        [at],
      );
    },
  } satisfies Partial<ExecutorStore>;
}

export function campaignMethods(pool: pg.Pool): CampaignStore {
  const get = async (c: pg.ClientBase | pg.Pool, id: string) => {
    const { rows } = await c.query<CampaignRow>('SELECT * FROM campaigns WHERE id = $1', [id]);
    return rows[0] ? campaignFromRow(rows[0]) : null;
  };
  return {
    createCampaign: (input: NewCampaign) =>
      transaction(pool, async (c) => {
        await c.query(
          `INSERT INTO campaigns (id, request_json, forecast_json, status, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $5)`,
          [input.id, JSON.stringify(input.request), JSON.stringify(input.forecast), input.status, input.at],
        );
        const hosts = input.forecast.steps.flatMap((s) => s.hosts);
        const steps = input.forecast.steps.flatMap((s, k) => s.hosts.map(() => k));
        await c.query(
          `INSERT INTO campaign_hosts (campaign_id, host, step, state, since)
           SELECT $1, t.host, t.step, 'pending', $2
           FROM unnest($3::text[], $4::int[]) WITH ORDINALITY AS t(host, step, i)
           ORDER BY t.i`,
          [input.id, input.at, hosts, steps],
        );
        return (await get(c, input.id))!;
      }),
    getCampaign: (id) => get(pool, id),
    listCampaigns: async (filter = {}) => {
      const statuses = filter.status ?? [];
      const where = statuses.length ? 'WHERE status = ANY($2::text[])' : '';
      const sql = `SELECT * FROM campaigns ${where} ORDER BY created_at DESC, seq DESC LIMIT $1`;
      const { rows } = await pool.query<CampaignRow>(sql, [
        filter.limit ?? 100,
        ...(statuses.length ? [statuses] : []),
      ]);
      return rows.map(campaignFromRow);
    },
    setCampaignStatus: (id: string, status: CampaignStatus, at: number, reason?: string | null) =>
      writeCampaignStatus(pool, id, status, at, reason),
    // the row lock serialises racing changers: each reads the status the one before committed
    changeCampaignStatus: (id, from, status, at, reason) =>
      transaction(pool, async (c) => {
        const { rows } = await c.query<{ status: CampaignStatus }>(
          'SELECT status FROM campaigns WHERE id = $1 FOR UPDATE',
          [id],
        );
        const was = rows[0]?.status ?? null;
        if (was && from.includes(was)) await writeCampaignStatus(c, id, status, at, reason);
        return was;
      }),
    listCampaignHosts: async (id) => {
      const { rows } = await pool.query<CampaignHostRow>(
        'SELECT * FROM campaign_hosts WHERE campaign_id = $1 ORDER BY step, seq',
        [id],
      );
      return rows.map(hostFromRow);
    },
    updateCampaignHost: async (id: string, host: string, patch: CampaignHostPatch, at: number) => {
      const sets = campaignHostAssignments(patch, at);
      if (!sets.length) return;
      const assignments = sets.map(([column], i) => `${column} = $${i + 3}`).join(', ');
      const args = [id, host, ...sets.map(([, value]) => value)];
      await transaction(pool, async (c) => {
        await c.query(`UPDATE campaign_hosts SET ${assignments} WHERE campaign_id = $1 AND host = $2`, args);
        await c.query('UPDATE campaigns SET updated_at = $1 WHERE id = $2', [at, id]);
      });
    },
  };
}
