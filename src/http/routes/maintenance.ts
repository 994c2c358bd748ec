/**
 * Maintenance campaigns over HTTP: POST /maintenance (plan-only, or `execute=true`), GET
 * /maintenance, GET /maintenance/:id, its events, and the operator's actions. Translation only:
 * the campaign service decides.
 */
import type { ApiRequest, FastifyInstance, FastifyReply } from '../routing.js';
import type { ActionOutcome, CampaignService } from '../../maintenance/service.js';
import { campaignSummary, campaignView } from '../../maintenance/view.js';
import type { ServiceStore } from '../../store/port.js';
import type { Clock } from '../../../executor/clock.js';
import type { CampaignTiming } from '../../orchestrate/duration.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { operations } from '../contract/operations.js';
import { readParams } from '../params.js';

export interface MaintenanceDeps {
  campaigns: CampaignService;
  store: ServiceStore;
  clock: Clock;
  /** Executor limits and patch time of the ETA (as configured). */
  timing: CampaignTiming;
}

async function answer(d: MaintenanceDeps, outcome: ActionOutcome) {
  if (outcome.ok) return campaignView(d.store, outcome.record, d.clock.now(), d.timing);
  if (outcome.reason === 'not-found') throw notFound('CAMPAIGN_NOT_FOUND', outcome.message);
  throw conflict('CAMPAIGN_CONFLICT', outcome.message);
}

export function maintenanceRoutes(app: FastifyInstance, d: MaintenanceDeps): void {
  app.post('/maintenance', async (req: ApiRequest, reply: FastifyReply) => {
    const p = readParams(req, operations.createCampaign.query);
    const created = await d.campaigns.create(
      { hosts: p.host, cells: p.cell, maxUnavailable: p.maxUnavailable, source: 'api' },
      p.execute === true,
    );
    if (!created.ok) {
      const details = created.issues.map((i) => ({ path: i.path, message: i.message }));
      throw badRequest(details.map((i) => `${i.path}: ${i.message}`).join('; '), details);
    }
    reply.code(201).send(await campaignView(d.store, created.record, d.clock.now(), d.timing));
  });
  app.get('/maintenance', async (req: ApiRequest, reply: FastifyReply) => {
    const p = readParams(req, operations.listCampaigns.query);
    reply.send({ campaigns: (await d.campaigns.list(p.limit ?? 100)).map(campaignSummary) });
  });
  app.get('/maintenance/:id', async (req: ApiRequest, reply: FastifyReply) => {
    readParams(req, operations.getCampaign.query);
    const c = await d.campaigns.get(req.params.id);
    if (!c) throw notFound('CAMPAIGN_NOT_FOUND', `no maintenance campaign ${req.params.id}`);
    reply.send(await campaignView(d.store, c, d.clock.now(), d.timing));
  });
  app.get('/maintenance/:id/events', async (req: ApiRequest, reply: FastifyReply) => {
    const p = readParams(req, operations.campaignEvents.query);
    if (!(await d.campaigns.get(req.params.id)))
      throw notFound('CAMPAIGN_NOT_FOUND', `no maintenance campaign ${req.params.id}`);
    const events = await d.store.listEvents({
      planId: req.params.id,
      afterId: p.after,
      limit: p.limit ?? 200,
    });
    reply.send({
      events: events.map((e) => ({ id: e.id, type: e.type, data: e.data ?? null, at: new Date(e.at).toISOString() })),
      next: events.length ? events[events.length - 1].id : (p.after ?? 0),
    });
  });
  app.post('/maintenance/:id/hosts/:host/done', async (req: ApiRequest, reply: FastifyReply) => {
    readParams(req, operations.campaignHostDone.query);
    reply.send(await answer(d, await d.campaigns.hostDone(req.params.id, req.params.host)));
  });
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post(`/maintenance/:id/${action}`, async (req: ApiRequest, reply: FastifyReply) => {
      readParams(req, operations[`${action}Campaign`].query);
      reply.send(await answer(d, await d.campaigns[action](req.params.id)));
    });
  }
}
