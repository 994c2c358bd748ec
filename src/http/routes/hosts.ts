/**
 * GET /hosts, GET /hosts/:name (inventory with utilisation and maintenance) and
 * POST /hosts/:name/maintenance?enabled=true|false. Host names come from the inventory only.
 */
import { Router } from 'express';
import type { MaintenanceRecord } from '../../store/port.js';
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
  const maintenance = deps.lifecycle.read.listMaintenance().find((m) => m.host === host.name);
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

export function hostRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/hosts', async (req, res) => {
    const p = readParams(req, { cell: { type: 'string' } });
    const inventory = await deps.inventorySource();
    const instances = instancesByHost(inventory);
    const maintenance = new Map(deps.lifecycle.read.listMaintenance().map((m) => [m.host, m]));
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
    const done = deps.lifecycle.setMaintenance(host.name, p.enabled === true, p.reason as string | undefined);
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
    if (done.ok && done.changed && p.enabled === false) req.log.info({ host: host.name }, 'maintenance ended');
    res.json(oneHost(deps, host, inventory));
  });
  return router;
}
