/** Reading plans (GET /plans, /plans/:id, /plans/:id/events) and acting on them (execute, cancel). */
import { createHash } from 'node:crypto';
import { Router } from 'express';
import { FINAL_PLAN_STATUSES, type PlanRecord, type PlanStatus } from '../../../executor/store.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { readParams } from '../params.js';
import { planSummaryView, planView } from '../views.js';
import { planLogger } from '../../log.js';
import { latestOfChain, reverifyStoredPlan } from '../reverify.js';

const STATUSES: PlanStatus[] = ['planned', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled', 'superseded'];

function mustPlan(deps: AppDeps, id: string): PlanRecord {
  const record = deps.store.getPlan(id);
  if (!record)
    throw notFound('PLAN_NOT_FOUND', `no plan with id "${id}"`, [{ path: 'id', message: `unknown plan id "${id}"` }]);
  return record;
}

function view(deps: AppDeps, id: string) {
  return planView(mustPlan(deps, id), deps.store.listMoves(id));
}

/** A serialised view and, when cached, its ETag (computed once rather than per response). */
interface CachedView {
  body: string;
  etag: string | null;
}

/**
 * Serialised views of plans that are not executing: their moves cannot change until the plan's
 * status does, so (id, status, updatedAt) identifies the content. Running plans are never cached.
 */
function viewCache(limit = 500) {
  const entries = new Map<string, CachedView>();
  return (deps: AppDeps, id: string): CachedView => {
    // a cache hit reads two columns, not the stored plan
    const version = deps.store.getPlanVersion(id);
    const cacheable = !!version && version.status !== 'running' && version.status !== 'cancelling';
    const hit = cacheable ? entries.get(`${id}\u0000${version.status}\u0000${version.updatedAt}`) : undefined;
    if (hit) return hit;
    const record = mustPlan(deps, id);
    const body = JSON.stringify(planView(record, deps.store.listMoves(id)));
    if (record.status === 'running' || record.status === 'cancelling') return { body, etag: null };
    const entry = { body, etag: `W/"${createHash('sha1').update(body).digest('base64').slice(0, 27)}"` };
    if (entries.size >= limit) entries.delete(entries.keys().next().value!);
    entries.set(`${id}\u0000${record.status}\u0000${record.updatedAt}`, entry);
    return entry;
  };
}

async function reverify(deps: AppDeps, record: PlanRecord): Promise<void> {
  const inventory = await deps.inventorySource({ fresh: true });
  const r = reverifyStoredPlan(deps.store, deps.clock, inventory, record, deps.config.planner.timeoutPerGiBSeconds);
  if (r.ok) return;
  if (r.reason === 'stale') {
    throw conflict(
      'PLAN_STALE',
      `the inventory changed since plan ${record.id} was computed: ${r.violations.length} violation(s); create a new ` +
        `plan first`,
      r.violations.map((v) => ({
        path: 'plan',
        message: v.message,
        rule: v.code,
        wave: v.wave,
        instance: v.instance ?? null,
        host: v.host ?? null,
      })),
    );
  }
  throw conflict(
    'HOST_IN_MAINTENANCE',
    `host "${r.heldBy[0].host}" is in maintenance for another plan`,
    r.heldBy.map((m) => ({
      path: 'host',
      message: `host "${m.host}" is held by ${m.planId ?? 'an operator'}`,
      host: m.host,
      planId: m.planId,
    })),
  );
}

export function planRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/plans', (req, res) => {
    const p = readParams(req, {
      status: { type: 'string', repeatable: true, oneOf: STATUSES },
      limit: { type: 'integer', min: 1, max: 1000 },
    });
    const plans = deps.store.listPlans({
      status: p.status as PlanStatus[] | undefined,
      limit: (p.limit as number | undefined) ?? 100,
    });
    res.json({ plans: plans.map(planSummaryView) });
  });
  const cachedView = viewCache();
  router.get('/plans/:id', (req, res) => {
    readParams(req, {});
    const v = cachedView(deps, req.params.id);
    if (v.etag) res.set('ETag', v.etag);
    res.type('application/json').send(v.body);
  });
  router.get('/plans/:id/events', (req, res) => {
    const p = readParams(req, { after: { type: 'integer', min: 0 }, limit: { type: 'integer', min: 1, max: 1000 } });
    mustPlan(deps, req.params.id);
    const events = deps.store.listEvents({
      planId: req.params.id,
      afterId: p.after as number | undefined,
      limit: (p.limit as number | undefined) ?? 200,
    });
    res.json({
      events: events.map((e) => ({
        id: e.id,
        moveIndex: e.moveIndex,
        type: e.type,
        data: e.data ?? null,
        at: new Date(e.at).toISOString(),
      })),
      next: events.length ? events[events.length - 1].id : ((p.after as number | undefined) ?? 0),
    });
  });
  router.post('/plans/:id/execute', async (req, res) => {
    readParams(req, {});
    const record = mustPlan(deps, req.params.id);
    if (record.status !== 'planned') {
      throw conflict(
        'PLAN_NOT_EXECUTABLE',
        `plan ${record.id} is ${record.status}: expected a plan in status "planned"`,
        [{ path: 'id', message: `status is "${record.status}"` }],
      );
    }
    await reverify(deps, record);
    deps.runner.start(record.id);
    planLogger(req.log, record.id).info('plan execution requested');
    res.status(202).json(view(deps, record.id));
  });
  router.post('/plans/:id/cancel', (req, res) => {
    readParams(req, {});
    mustPlan(deps, req.params.id);
    // Cancelling a superseded plan cancels the re-plan that replaced it.
    const record = latestOfChain(deps.store, req.params.id)!;
    if (FINAL_PLAN_STATUSES.includes(record.status)) {
      throw conflict('PLAN_FINISHED', `plan ${record.id} already ended (${record.status})`, [
        { path: 'id', message: `status is "${record.status}"` },
      ]);
    }
    const now = deps.clock.now();
    if (record.status === 'planned') deps.store.setPlanStatus(record.id, 'cancelled', now);
    else if (!deps.runner.cancel(record.id)) deps.store.setPlanStatus(record.id, 'cancelling', now);
    planLogger(req.log, record.id).info({ from: record.status }, 'plan cancellation requested');
    res.status(record.status === 'planned' ? 200 : 202).json(view(deps, record.id));
  });
  return router;
}
