/** Campaign tables of the SQLite store (src/maintenance/types.ts states the contract). */
import type Database from 'better-sqlite3';
import type { CampaignHostPatch, CampaignStatus, CampaignStore, NewCampaign } from '../maintenance/types.js';
import {
  campaignFromRow,
  campaignHostAssignments,
  hostFromRow,
  type CampaignHostRow,
  type CampaignRow,
} from './rows.js';
import { prepared } from './statements.js';
import type { Synchronous } from './sync.js';

export function campaignMethods(db: Database.Database): Synchronous<CampaignStore> {
  const insert = prepared(
    db,
    `INSERT INTO campaigns (id, request_json, forecast_json, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const insertHost = prepared(
    db,
    `INSERT INTO campaign_hosts (campaign_id, host, step, state, since) VALUES (?, ?, ?, 'pending', ?)`,
  );
  const get = prepared<[string], CampaignRow>(db, 'SELECT * FROM campaigns WHERE id = ?');
  const create = db.transaction((c: NewCampaign) => {
    insert.run(c.id, JSON.stringify(c.request), JSON.stringify(c.forecast), c.status, c.at, c.at);
    c.forecast.steps.forEach((s, k) => {
      for (const h of s.hosts) insertHost.run(c.id, h, k, c.at);
    });
  });
  const setStatus = (id: string, status: CampaignStatus, at: number, reason?: string | null) => {
    const sql =
      reason === undefined
        ? 'UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ?'
        : 'UPDATE campaigns SET status = ?, updated_at = ?, reason = ? WHERE id = ?';
    const args = reason === undefined ? [status, at, id] : [status, at, reason, id];
    prepared(db, sql).run(...args);
  };
  const changeIf = db.transaction(
    (id: string, from: readonly CampaignStatus[], status: CampaignStatus, at: number, reason?: string | null) => {
      const was = (get.get(id)?.status ?? null) as CampaignStatus | null;
      if (was && from.includes(was)) setStatus(id, status, at, reason);
      return was;
    },
  );
  return {
    createCampaign(c) {
      create.immediate(c);
      return campaignFromRow(get.get(c.id)!);
    },
    getCampaign: (id) => {
      const r = get.get(id);
      return r ? campaignFromRow(r) : null;
    },
    listCampaigns(filter = {}) {
      const statuses = filter.status ?? [];
      const where = statuses.length ? `WHERE status IN (${statuses.map(() => '?').join(', ')})` : '';
      const sql = `SELECT * FROM campaigns ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
      return prepared<unknown[], CampaignRow>(db, sql)
        .all(...statuses, filter.limit ?? 100)
        .map(campaignFromRow);
    },
    setCampaignStatus: setStatus,
    // BEGIN IMMEDIATE: the status read and its change hold the write lock against other processes
    changeCampaignStatus: (id, from, status, at, reason) => changeIf.immediate(id, from, status, at, reason),
    listCampaignHosts: (id) =>
      prepared<[string], CampaignHostRow>(db, 'SELECT * FROM campaign_hosts WHERE campaign_id = ? ORDER BY step, rowid')
        .all(id)
        .map(hostFromRow),
    updateCampaignHost(id, host, patch: CampaignHostPatch, at) {
      const sets = campaignHostAssignments(patch, at);
      if (!sets.length) return;
      const assignments = sets.map(([column]) => `${column} = ?`).join(', ');
      prepared(db, `UPDATE campaign_hosts SET ${assignments} WHERE campaign_id = ? AND host = ?`).run(
        ...sets.map(([, value]) => value),
        id,
        host,
      );
      prepared(db, 'UPDATE campaigns SET updated_at = ? WHERE id = ?').run(at, id);
    },
  };
}
