/**
 * Builds the capacity-review report: per cell capacity and headroom, N+1 drainability of every
 * host, fragmentation per flavor size and what tonight's balance would move. Plan only.
 */
import { performance } from 'node:perf_hooks';
import { plan, type Host, type Instance, type Inventory, type PlannerOptions } from '../../planner/index.js';
import { hostResources, inService, instancesByHost, sumResources } from './capacity.js';
import { flavorSizes, fragmentation } from './fragmentation.js';
import type { CapacityReport, CellReport, DrainCheck, HostRow } from './model.js';
import { cellInventory, nPlusOne, type PlanFn } from './n-plus-one.js';
import { tonightBalance, type BalanceSettings } from './tonight.js';

export interface CapacityReportOptions {
  /** Hosts in maintenance: never targets (they are still checked for N+1). @default [] */
  maintenanceHosts?: string[];
  /** Planner options (method, timeouts, exclusions, avoided hosts). @default {} */
  plannerOptions?: PlannerOptions;
  /** Report time in epoch ms (the report only prints it). */
  now: number;
  /** Tonight's balance settings, as the nightly run would use them. @default threshold 0.1, no move limit, nothing frozen, all cells */
  balance?: Partial<BalanceSettings>;
  /** Wall-time budget of full drain-planner runs per cell, in ms. @default 60000 */
  plannerBudgetMs?: number;
  /** The planner entry point. @default plan from planner/index.ts */
  planner?: PlanFn;
}

const undecided: DrainCheck = { drainable: null, method: 'none', blockers: [] };

export function buildCapacityReport(inventory: Inventory, options: CapacityReportOptions): CapacityReport {
  const start = performance.now();
  const maintenance = new Set(options.maintenanceHosts ?? []);
  const plannerOptions: PlannerOptions = {
    ...options.plannerOptions,
    avoidHosts: [...new Set([...(options.plannerOptions?.avoidHosts ?? []), ...maintenance])],
  };
  const balance: BalanceSettings = { threshold: 0.1, frozenInstances: [], ...options.balance };
  const byHost = instancesByHost(inventory);
  const sizes = flavorSizes(inventory.instances);
  const cells = new Map<string, Host[]>();
  for (const h of inventory.hosts) {
    const list = cells.get(h.cell);
    if (list) list.push(h);
    else cells.set(h.cell, [h]);
  }

  const t = performance.now();
  const tonight = tonightBalance(inventory, balance, options.planner ?? plan, plannerOptions);
  const balanceMs = performance.now() - t;
  const hosts: HostRow[] = [];
  const cellReports: CellReport[] = [];
  let nPlusOneMs = 0;
  for (const cell of [...cells.keys()].sort()) {
    const cellHosts = cells.get(cell)!;
    const n1 = nPlusOne(inventory, cellHosts, byHost, {
      planner: options.planner ?? plan,
      plannerOptions,
      plannerBudgetMs: options.plannerBudgetMs ?? 60_000,
    });
    nPlusOneMs += n1.summary.ms;
    const rows = cellHosts.map((h) => hostRow(h, byHost.get(h.name) ?? [], maintenance, n1.checks.get(h.name) ?? undecided));
    hosts.push(...rows);
    const cellInv = cellInventory(inventory, cellHosts, byHost);
    cellReports.push({
      cell,
      hosts: rows.length,
      inServiceHosts: rows.filter((r) => r.inService).length,
      instances: cellInv.instances.length,
      resources: sumResources(rows.filter((r) => r.inService).map((r) => r.resources)),
      cpuUtilisation: utilisation(rows),
      nPlusOne: n1.summary,
      fragmentation: fragmentation(rows, cellInv.instances, sizes),
      tonight: tonight.get(cell)!,
    });
  }
  return {
    generatedAt: new Date(options.now).toISOString(),
    settings: {
      maintenanceHosts: [...maintenance].sort(),
      threshold: balance.threshold,
      maxMoves: balance.maxMoves ?? null,
      frozenInstances: balance.frozenInstances.length,
    },
    cells: cellReports,
    hosts,
    timings: { totalMs: Math.round(performance.now() - start), nPlusOneMs, balanceMs: Math.round(balanceMs) },
  };
}

function hostRow(host: Host, instances: readonly Instance[], maintenance: ReadonlySet<string>, drain: DrainCheck): HostRow {
  return {
    host: host.name,
    cell: host.cell,
    inService: inService(host, maintenance),
    maintenance: maintenance.has(host.name),
    instances: instances.length,
    physicalCores: host.vcpus,
    resources: hostResources(host, instances),
    drain,
  };
}

/** Busy cores over physical cores of the in-service hosts that have a measurement. */
function utilisation(rows: readonly HostRow[]): number | null {
  let busy = 0;
  let cores = 0;
  for (const r of rows) {
    if (!r.inService || r.resources.vcpus.used === null) continue;
    busy += r.resources.vcpus.used;
    cores += r.physicalCores;
  }
  return cores > 0 ? busy / cores : null;
}
