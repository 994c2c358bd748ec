/**
 * GET /hosts, GET /hosts/:name (inventory with utilisation and maintenance) and
 * POST /hosts/:name/maintenance?enabled=true|false. Host names come from the inventory only.
 */
import type { ApiRequest, FastifyInstance, FastifyReply } from '../routing.js';
import { requestLog } from '../request-log.js';
import type { Host, Inventory } from '../../../planner/index.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { operations } from '../contract/operations.js';
import { readParams } from '../params.js';
import { hostDetailView, hostListView } from '../views.js';

async function mustHost(deps: AppDeps, name: string): Promise<{ host: Host; inventory: Inventory }> {
  const inventory = await deps.inventorySource();
  const host = inventory.hosts.find((h) => h.name === name);
  if (!host)
    throw notFound('UNKNOWN_HOST', `unknown host "${name}"`, [
      { path: 'name', message: `expected the name of a host in the inventory, got "${name}"` },
    ]);
  return { host, inventory };
}

async function oneHost(deps: AppDeps, host: Host, inventory: Inventory) {
  return hostDetailView(host, inventory, await deps.lifecycle.read.listMaintenance());
}

export function hostRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/hosts', async (req: ApiRequest, reply: FastifyReply) => {
    const p = readParams(req, operations.listHosts.query);
    const inventory = await deps.inventorySource();
    reply.send({ hosts: hostListView(inventory, await deps.lifecycle.read.listMaintenance(), p.cell) });
  });
  app.get('/hosts/:name', async (req: ApiRequest, reply: FastifyReply) => {
    readParams(req, operations.getHost.query);
    const { host, inventory } = await mustHost(deps, req.params.name);
    reply.send(await oneHost(deps, host, inventory));
  });
  app.post('/hosts/:name/maintenance', async (req: ApiRequest, reply: FastifyReply) => {
    const p = readParams(req, operations.setMaintenance.query);
    const { host, inventory } = await mustHost(deps, req.params.name);
    const done = await deps.lifecycle.setMaintenance(host.name, p.enabled, p.reason);
    if (!done.ok && done.reason === 'held')
      throw conflict(
        'HOST_IN_MAINTENANCE',
        `host "${host.name}" is already in maintenance`,
        done.heldBy.map((m) => ({ path: 'name', message: m.reason, host: m.host, planId: m.planId })),
      );
    if (!done.ok && done.reason === 'draining')
      throw conflict('PLAN_RUNNING', `host "${host.name}" is being drained by plan ${done.planId}: cancel it first`, [
        { path: 'name', message: `held by plan ${done.planId}`, host: host.name, planId: done.planId },
      ]);
    if (done.ok && done.changed && p.enabled === false)
      requestLog(deps.log, req).info({ host: host.name }, 'maintenance ended');
    reply.send(await oneHost(deps, host, inventory));
  });
}
