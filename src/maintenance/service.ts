/**
 * The campaign service: plan-only or executed maintenance campaigns, their operator actions
 * (host done, pause, resume, cancel) and resuming after a restart. HTTP routes and the CLI only
 * translate into these calls. Each running campaign is driven in the background (drive.ts).
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_MAX_UNAVAILABLE, validateRequest, type InputIssue } from '../../planner/index.js';
import { drive, pause } from './drive.js';
import type { CampaignDeps } from './ports.js';
import {
  ACTIVE_CAMPAIGN_STATUSES,
  FAILED_DURING,
  type CampaignRecord,
  type CampaignStatus,
  type FailedDuring,
} from './types.js';

export interface CampaignInput {
  hosts?: unknown;
  cells?: unknown;
  maxUnavailable?: unknown;
  source: 'api' | 'cli';
}

export type CreateOutcome = { ok: true; record: CampaignRecord } | { ok: false; issues: InputIssue[] };

export type ActionOutcome =
  | { ok: true; record: CampaignRecord }
  | { ok: false; reason: 'not-found' | 'conflict'; message: string };

export interface CampaignService {
  create(input: CampaignInput, execute: boolean): Promise<CreateOutcome>;
  get(id: string): Promise<CampaignRecord | null>;
  list(limit?: number): Promise<CampaignRecord[]>;
  /**
   * The operator says `host` is patched: it goes on to the return check. Also for a host whose
   * patch command failed; a campaign paused on that failure then goes on (no other host failed).
   */
  hostDone(id: string, host: string): Promise<ActionOutcome>;
  pause(id: string): Promise<ActionOutcome>;
  /**
   * Starts a planned campaign or resumes a paused one. Failed hosts are taken up where they failed:
   * a drain that failed is planned again, a patch command that failed runs again, a host that did
   * not come back gets a new return timeout.
   */
  resume(id: string): Promise<ActionOutcome>;
  cancel(id: string): Promise<ActionOutcome>;
  /**
   * Drives the running campaigns nobody drives here (left by a stopped process or set running on
   * another replica); their ids. Nothing on a replica that does not lead.
   */
  recover(): Promise<string[]>;
  /** Cells of campaigns still active (nightly balancing leaves them alone). */
  activeCells(cellOf: (host: string) => string | undefined): Promise<Set<string>>;
  /** Stops driving (campaigns stay `running` in the store and resume with `recover`, here or on the next leader). */
  stop(): Promise<void>;
  /** Resolves when no campaign is being driven (tests). */
  idle(): Promise<void>;
}

export function createCampaignService(deps: CampaignDeps): CampaignService {
  const { store, clock } = deps;
  let stopping = new AbortController();
  const driving = new Map<string, Promise<void>>();
  const leads = deps.leads ?? (() => true);
  const start = (id: string) => {
    if (driving.has(id) || !leads()) return;
    const p = drive(deps, id, stopping.signal).finally(() => driving.delete(id));
    driving.set(id, p);
  };
  const found = async (id: string): Promise<ActionOutcome | CampaignRecord> => {
    const c = await store.getCampaign(id);
    return c ?? { ok: false, reason: 'not-found', message: `no maintenance campaign ${id}` };
  };
  const conflict = (message: string): ActionOutcome => ({ ok: false, reason: 'conflict', message });
  const ok = async (id: string): Promise<ActionOutcome> => ({ ok: true, record: (await store.getCampaign(id))! });
  /**
   * The status change of an operator action, made only from `from` in one store call (a racing
   * action or the drive may have changed it since it was read); the conflict when it was not made.
   */
  const change = async (
    c: CampaignRecord,
    from: readonly CampaignStatus[],
    status: CampaignStatus,
    reason: string | null,
  ): Promise<ActionOutcome | null> => {
    const was = await store.changeCampaignStatus(c.id, from, status, clock.now(), reason);
    return was !== null && from.includes(was) ? null : conflict(`campaign ${c.id} is ${was ?? c.status}`);
  };
  /** Where a failed host failed, from its last `campaign.host_failed` event. */
  const failedDuring = async (id: string, host: string): Promise<FailedDuring | null> => {
    const events = (await store.listEvents({ planId: id })).filter((e) => e.type === 'campaign.host_failed');
    const last = events.filter((e) => (e.data as { host?: string })?.host === host).at(-1);
    const during = (last?.data as { during?: string } | undefined)?.during;
    return FAILED_DURING.find((d) => d === during) ?? null;
  };

  return {
    async create(input, execute) {
      const inventory = await deps.collect();
      const request = { goal: 'maintenance' as const, ...input };
      const issues = validateRequest(inventory, request);
      if (issues.length) return { ok: false, issues };
      const req = {
        ...(input.hosts !== undefined ? { hosts: [input.hosts].flat() as string[] } : {}),
        ...(input.cells !== undefined ? { cells: [input.cells].flat() as string[] } : {}),
        maxUnavailable: (input.maxUnavailable as number | undefined) ?? DEFAULT_MAX_UNAVAILABLE,
      };
      const forecast = await deps.steps.forecast(inventory, req);
      const id = randomUUID();
      await store.createCampaign({
        id,
        request: { ...req, source: input.source },
        forecast,
        status: 'planned',
        at: clock.now(),
      });
      if (execute) {
        await store.setCampaignStatus(id, 'running', clock.now(), null);
        start(id);
      }
      return { ok: true, record: (await store.getCampaign(id))! };
    },
    get: (id) => store.getCampaign(id),
    list: (limit = 100) => store.listCampaigns({ limit }),
    async hostDone(id, host) {
      const c = await found(id);
      if ('ok' in c) return c;
      const h = (await store.listCampaignHosts(id)).find((x) => x.host === host);
      if (!h) return { ok: false, reason: 'not-found', message: `host ${host} is not part of campaign ${id}` };
      const patchFailed = h.state === 'failed' && (await failedDuring(id, host)) === 'awaiting_patch';
      if (h.state !== 'awaiting_patch' && !patchFailed)
        return conflict(`host ${host} is ${h.state}, not awaiting_patch (or failed in its patch command)`);
      await store.updateCampaignHost(id, host, { state: 'returning', reason: null }, clock.now());
      await store.appendEvent({
        planId: id,
        moveIndex: null,
        type: 'campaign.host_patched',
        data: { host },
        at: clock.now(),
      });
      // The operator patched by hand what the command could not: the campaign paused on that
      // failure goes on once no host is failed any more.
      const stillFailed = (await store.listCampaignHosts(id)).some((x) => x.state === 'failed');
      if (patchFailed && c.status === 'paused' && !stillFailed && !(await change(c, ['paused'], 'running', null)))
        start(id);
      return ok(id);
    },
    async pause(id) {
      const c = await found(id);
      if ('ok' in c) return c;
      if (c.status !== 'running') return conflict(`campaign ${id} is ${c.status}, not running`);
      if (!(await pause(deps, id, 'paused by the operator')))
        return conflict(`campaign ${id} is ${(await store.getCampaign(id))?.status ?? c.status}, not running`);
      return ok(id);
    },
    async resume(id) {
      const c = await found(id);
      if ('ok' in c) return c;
      if (c.status !== 'paused' && c.status !== 'planned') return conflict(`campaign ${id} is ${c.status}`);
      const failed = (await store.listCampaignHosts(id)).filter((h) => h.state === 'failed');
      const refused = await change(c, ['paused', 'planned'], 'running', null);
      if (refused) return refused;
      for (const h of failed) {
        const during = await failedDuring(id, h.host);
        const state = during === 'awaiting_patch' || during === 'returning' ? during : 'pending';
        await store.updateCampaignHost(id, h.host, { state, reason: null }, clock.now());
      }
      start(id);
      return ok(id);
    },
    async cancel(id) {
      const c = await found(id);
      if ('ok' in c) return c;
      if (!ACTIVE_CAMPAIGN_STATUSES.includes(c.status)) return conflict(`campaign ${id} is already ${c.status}`);
      const refused = await change(c, ACTIVE_CAMPAIGN_STATUSES, 'cancelled', 'cancelled by the operator');
      if (refused) return refused;
      for (const h of await store.listCampaignHosts(id))
        if (h.state === 'draining' && h.planId) await deps.steps.cancel(h.planId);
      return ok(id);
    },
    async recover() {
      if (!leads()) return [];
      const ids = (await store.listCampaigns({ status: ['running'], limit: 1000 }))
        .map((c) => c.id)
        .filter((id) => !driving.has(id));
      for (const id of ids) start(id);
      return ids;
    },
    async activeCells(cellOf) {
      const cells = new Set<string>();
      for (const c of await store.listCampaigns({ status: [...ACTIVE_CAMPAIGN_STATUSES], limit: 1000 }))
        for (const h of c.forecast.target.hosts) {
          const cell = cellOf(h);
          if (cell) cells.add(cell);
        }
      return cells;
    },
    async stop() {
      stopping.abort();
      await Promise.allSettled([...driving.values()]);
      // a later term (leadership regained) drives again
      stopping = new AbortController();
    },
    async idle() {
      while (driving.size) await Promise.allSettled([...driving.values()]);
    },
  };
}
