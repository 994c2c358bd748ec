/**
 * GET /hosts, GET /hosts/:name (inventory with utilisation and maintenance) and
 * POST /hosts/:name/maintenance?enabled=true|false. Host names come from the inventory only.
 */
import { Router } from 'express';
import type { MaintenanceRecord } from '../../../executor/store.js';
import type { Host, Instance, Inventory } from '../../../planner/index.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { readParams } from '../params.js';
import { hostResources, instancesByHost } from '../../report/capacity.js';

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const ratio = (used: number, capacity: number) => (capacity > 0 ? round3(used / capacity) : 0);

function hostView(h: Host, instances: Instance[], maintenance: MaintenanceRecord | undefined) {
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

async function mustHost(deps: AppDeps, name: string): Promise<{ host: Host; inventory: Inventory }> {
  const inventory = await deps.inventorySource();
  const host = inventory.hosts.find((h) => h.name === name);
  if (!host)
    throw notFound('UNKNOWN_HOST', `unknown host "${name}"`, [
      { path: 'name', message: `expected the name of a host in the inventory, got "${name}"` },
    ]);
  return { host, inventory };
}

function oneHost(deps: AppDeps, host: Host, inventory: Inventory) {
  const instances = inventory.instances.filter((i) => i.host === host.name);
  const maintenance = deps.store.listMaintenance().find((m) => m.host === host.name);
  return {
    ...hostView(host, instances, maintenance),
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

/** Ending maintenance while the drain holding it still runs would let other plans target the host. */
function rejectWhileDraining(deps: AppDeps, m: MaintenanceRecord | undefined): void {
  const plan = m?.planId ? deps.store.getPlan(m.planId) : null;
  if (plan && (plan.status === 'running' || plan.status === 'cancelling')) {
    throw conflict('PLAN_RUNNING', `host "${m!.host}" is being drained by running plan ${plan.id}: cancel it first`, [
      { path: 'name', message: `held by plan ${plan.id}`, host: m!.host, planId: plan.id },
    ]);
  }
}

export function hostRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/hosts', async (req, res) => {
    const p = readParams(req, { cell: { type: 'string' } });
    const inventory = await deps.inventorySource();
    const instances = instancesByHost(inventory);
    const maintenance = new Map(deps.store.listMaintenance().map((m) => [m.host, m]));
    const hosts = inventory.hosts.filter((h) => !p.cell || h.cell === p.cell);
    res.json({ hosts: hosts.map((h) => hostView(h, instances.get(h.name) ?? [], maintenance.get(h.name))) });
  });
  router.get('/hosts/:name', async (req, res) => {
    readParams(req, {});
    const { host, inventory } = await mustHost(deps, req.params.name);
    res.json(oneHost(deps, host, inventory));
  });
  router.post('/hosts/:name/maintenance', async (req, res) => {
    const p = readParams(req, { enabled: { type: 'boolean', required: true }, reason: { type: 'string' } });
    const { host, inventory } = await mustHost(deps, req.params.name);
    const current = deps.store.listMaintenance().find((m) => m.host === host.name);
    const now = deps.clock.now();
    if (p.enabled === true && !current) {
      const claim = deps.store.claimMaintenance([host.name], {
        reason: (p.reason as string | undefined) ?? 'manual',
        planId: null,
        at: now,
      });
      if (!claim.ok)
        throw conflict(
          'HOST_IN_MAINTENANCE',
          `host "${host.name}" is already in maintenance`,
          claim.heldBy.map((m) => ({ path: 'name', message: m.reason, host: m.host, planId: m.planId })),
        );
    } else if (p.enabled === false && current) {
      rejectWhileDraining(deps, current);
      deps.store.releaseMaintenance(host.name, now);
      req.log.info({ host: host.name, planId: current.planId }, 'maintenance ended');
    }
    res.json(oneHost(deps, host, inventory));
  });
  return router;
}
