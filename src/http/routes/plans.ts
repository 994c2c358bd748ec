/** Reading plans (GET /plans, /plans/:id, /plans/:id/events) and acting on them (execute, cancel). */
import { createHash } from 'node:crypto';
import fresh from 'fresh';
import type { ApiRequest, FastifyInstance, FastifyReply } from '../routing.js';
import { requestLog } from '../request-log.js';
import type { PlanRecord } from '../../../executor/store.js';
import { EXECUTING_PLAN_STATUSES } from '../../orchestrate/lifecycle.js';
import type { AppDeps } from '../deps.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { operations } from '../contract/operations.js';
import { readParams } from '../params.js';
import { DEFAULT_PLAN_PAGE, planPage, planView } from '../views.js';
import { planLogger } from '../../log.js';

async function mustPlan(deps: AppDeps, id: string): Promise<PlanRecord> {
  const record = await deps.lifecycle.read.getPlan(id);
  if (!record)
    throw notFound('PLAN_NOT_FOUND', `no plan with id "${id}"`, [{ path: 'id', message: `unknown plan id "${id}"` }]);
  return record;
}

async function view(deps: AppDeps, id: string) {
  return planView(await mustPlan(deps, id), await deps.lifecycle.read.listMoves(id));
}

/**
 * A serialised view and, when cached, its ETag (computed once rather than per response). The body
 * is kept as bytes, so a response does not encode the string again (~25 KB for a 23-move plan).
 */
interface CachedView {
  body: Buffer;
  etag: string | null;
}

/**
 * Serialised views of plans that are not executing: their moves cannot change until the plan's
 * status does, so (id, status, updatedAt) identifies the content. Running plans are never cached.
 */
function viewCache(limit = 500) {
  const entries = new Map<string, CachedView>();
  return async (deps: AppDeps, id: string): Promise<CachedView> => {
    // a cache hit reads two columns, not the stored plan
    const version = await deps.lifecycle.read.getPlanVersion(id);
    const cacheable = !!version && !EXECUTING_PLAN_STATUSES.includes(version.status);
    const hit = cacheable ? entries.get(`${id}\u0000${version.status}\u0000${version.updatedAt}`) : undefined;
    if (hit) return hit;
    const record = await mustPlan(deps, id);
    const body = Buffer.from(JSON.stringify(planView(record, await deps.lifecycle.read.listMoves(id))));
    if (EXECUTING_PLAN_STATUSES.includes(record.status)) return { body, etag: null };
    const entry = { body, etag: `W/"${createHash('sha1').update(body).digest('base64').slice(0, 27)}"` };
    if (entries.size >= limit) entries.delete(entries.keys().next().value!);
    entries.set(`${id}\u0000${record.status}\u0000${record.updatedAt}`, entry);
    return entry;
  };
}

async function reverify(deps: AppDeps, record: PlanRecord): Promise<void> {
  const inventory = await deps.inventorySource({ fresh: true });
  const r = await deps.lifecycle.reverify(record, inventory);
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

export function planRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/plans', async (req: ApiRequest, reply: FastifyReply) => {
    const p = readParams(req, operations.listPlans.query);
    const page = await planPage(deps.lifecycle.read, p);
    if (!page.ok) {
      throw badRequest(`unknown cursor "${page.unknownCursor}": pass the "next" value of the previous page`, [
        { path: 'after', message: `no plan with id "${page.unknownCursor}"` },
      ]);
    }
    const { next } = page.view;
    if (next) {
      const query = new URLSearchParams([
        ...(p.status ?? []).map((s) => ['status', s]),
        ['limit', String(p.limit ?? DEFAULT_PLAN_PAGE)],
      ]);
      query.set('after', next);
      reply.header('Link', `</plans?${query}>; rel="next"`);
    }
    reply.send(page.view);
  });
  const cachedView = viewCache();
  app.get('/plans/:id', async (req: ApiRequest, reply: FastifyReply) => {
    readParams(req, operations.getPlan.query);
    const v = await cachedView(deps, req.params.id);
    if (v.etag) reply.header('ETag', v.etag);
    // If-None-Match naming the current version: 304 without the body
    if (v.etag && fresh(req.headers, { etag: v.etag })) return reply.code(304).send();
    reply.type('application/json').send(v.body);
  });
  app.get('/plans/:id/events', async (req: ApiRequest, reply: FastifyReply) => {
    const p = readParams(req, operations.planEvents.query);
    await mustPlan(deps, req.params.id);
    const events = await deps.lifecycle.read.listEvents({
      planId: req.params.id,
      afterId: p.after,
      limit: p.limit ?? 200,
    });
    reply.send({
      events: events.map((e) => ({
        id: e.id,
        moveIndex: e.moveIndex,
        type: e.type,
        data: e.data ?? null,
        at: new Date(e.at).toISOString(),
      })),
      next: events.length ? events[events.length - 1].id : (p.after ?? 0),
    });
  });
  app.post('/plans/:id/execute', async (req: ApiRequest, reply: FastifyReply) => {
    readParams(req, operations.executePlan.query);
    const record = await mustPlan(deps, req.params.id);
    if (record.status !== 'planned') {
      throw conflict(
        'PLAN_NOT_EXECUTABLE',
        `plan ${record.id} is ${record.status}: expected a plan in status "planned"`,
        [{ path: 'id', message: `status is "${record.status}"` }],
      );
    }
    await reverify(deps, record);
    await deps.lifecycle.start(record.id);
    planLogger(requestLog(deps.log, req), record.id).info('plan execution requested');
    reply.code(202).send(await view(deps, record.id));
  });
  app.post('/plans/:id/cancel', async (req: ApiRequest, reply: FastifyReply) => {
    readParams(req, operations.cancelPlan.query);
    await mustPlan(deps, req.params.id);
    // Cancelling a superseded plan cancels the re-plan that replaced it.
    const asked = await deps.lifecycle.cancel(req.params.id);
    if (!asked.ok && asked.reason === 'not-found') throw new Error('plan vanished while being cancelled');
    if (!asked.ok && asked.reason === 'ended') {
      const { record } = asked;
      throw conflict('PLAN_FINISHED', `plan ${record.id} already ended (${record.status})`, [
        { path: 'id', message: `status is "${record.status}"` },
      ]);
    }
    if (!asked.ok) return;
    planLogger(requestLog(deps.log, req), asked.record.id).info({ from: asked.from }, 'plan cancellation requested');
    reply.code(asked.from === 'planned' ? 200 : 202).send(await view(deps, asked.record.id));
  });
}
