/**
 * Builds the capacity-review report: per cell capacity and headroom, N+1 drainability of every
 * host, fragmentation per flavor size, what tonight's balance would move and whether each cell could
 * be patched now by a rolling maintenance. Plan only.
 */
import { performance } from 'node:perf_hooks';
import type { Host, Instance, Inventory } from '../../planner/index.js';
import { boundPlanners, type BoundPlanners } from '../orchestrate/bound-planners.js';
import { hostResources, inService, instancesByHost, sumResources } from './capacity.js';
import { flavorSizes, fragmentation } from './fragmentation.js';
import type { CapacityReport, CellReport, DrainCheck, HostRow, TonightBalance } from './model.js';
import { cellInventory, nPlusOne, type NPlusOneOptions } from './n-plus-one.js';
import { tonightBalance, type BalanceSettings } from './tonight.js';
import type { CampaignTiming } from '../orchestrate/duration.js';
import { DEFAULT_PATCH_BUDGET, DEFAULT_TIMING, patchChecks, type PatchOptions } from './patching.js';

export interface CapacityReportOptions {
  /** Hosts in maintenance, as shown (they are still checked for N+1). @default [] */
  maintenanceHosts?: string[];
  /** Report time in epoch ms (the report only prints it). */
  now: number;
  /**
   * Tonight's balance settings, as the nightly run would use them.
   * @default threshold 0.1, no move limit, nothing frozen, all cells
   */
  balance?: Partial<BalanceSettings>;
  /** Work budget of full drain-planner runs per cell, in work units (see drainWork). @default 1000000 */
  plannerBudget?: number;
  /**
   * The planners of N+1, tonight's balance and the patch checks, bound to the lifecycle's rules
   * (`lifecycle.capacityInputs`: hosts in maintenance never receive, the cool-down is frozen).
   * @default bound to a state where only `maintenanceHosts` are in maintenance, default planner settings
   */
  planners?: BoundPlanners;
  /**
   * Rolling-maintenance forecast per cell: executor limits and patch time as configured, and the
   * work budget of campaign-planner runs per cell (see campaignWork).
   * @default the default configuration's limits and patch time; budget DEFAULT_PATCH_BUDGET
   */
  patching?: { timing?: CampaignTiming; budget?: number };
}

const undecided: DrainCheck = { drainable: null, method: 'none', blockers: [] };

/** What every cell's part of the report needs. */
interface Shared {
  inventory: Inventory;
  byHost: Map<string, Instance[]>;
  maintenance: Set<string>;
  sizes: ReturnType<typeof flavorSizes>;
  tonight: Map<string, TonightBalance>;
  n1: NPlusOneOptions;
  patching: PatchOptions;
}

function cellsOf(inventory: Inventory): Map<string, Host[]> {
  const cells = new Map<string, Host[]>();
  for (const h of inventory.hosts) {
    const list = cells.get(h.cell);
    if (list) list.push(h);
    else cells.set(h.cell, [h]);
  }
  return new Map([...cells].sort(([a], [b]) => a.localeCompare(b)));
}

function cellReport(
  cell: string,
  cellHosts: Host[],
  sh: Shared,
): { report: CellReport; rows: HostRow[]; patchingMs: number } {
  const n1 = nPlusOne(sh.inventory, cellHosts, sh.byHost, sh.n1);
  const rows = cellHosts.map((h) =>
    hostRow(h, sh.byHost.get(h.name) ?? [], sh.maintenance, n1.checks.get(h.name) ?? undecided),
  );
  const cellInv = cellInventory(sh.inventory, cellHosts, sh.byHost);
  const t = performance.now();
  const patching = patchChecks(cell, cellInv, sh.patching);
  const patchingMs = performance.now() - t;
  const report: CellReport = {
    cell,
    hosts: rows.length,
    inServiceHosts: rows.filter((r) => r.inService).length,
    instances: cellInv.instances.length,
    resources: sumResources(rows.filter((r) => r.inService).map((r) => r.resources)),
    cpuUtilisation: utilisation(rows),
    nPlusOne: n1.summary,
    fragmentation: fragmentation(rows, cellInv.instances, sh.sizes),
    tonight: sh.tonight.get(cell)!,
    patching,
  };
  return { report, rows, patchingMs };
}

export function buildCapacityReport(inventory: Inventory, options: CapacityReportOptions): CapacityReport {
  const start = performance.now();
  const maintenance = new Set(options.maintenanceHosts ?? []);
  const planners =
    options.planners ?? boundPlanners({ maintenanceHosts: [...maintenance], cooledDown: [] }, {}, () => options.now);
  const balance: BalanceSettings = { threshold: 0.1, frozenInstances: [], ...options.balance };
  const timing = options.patching?.timing ?? DEFAULT_TIMING;
  const t = performance.now();
  const tonight = tonightBalance(inventory, balance, planners);
  const balanceMs = Math.round(performance.now() - t);
  const sh: Shared = {
    inventory,
    maintenance,
    tonight,
    byHost: instancesByHost(inventory),
    sizes: flavorSizes(inventory.instances),
    n1: { planners, plannerBudget: options.plannerBudget ?? 1_000_000 },
    patching: { planners, timing, budget: options.patching?.budget ?? DEFAULT_PATCH_BUDGET },
  };
  const parts = [...cellsOf(inventory)].map(([cell, hosts]) => cellReport(cell, hosts, sh));
  return {
    generatedAt: new Date(options.now).toISOString(),
    settings: {
      maintenanceHosts: [...maintenance].sort(),
      threshold: balance.threshold,
      maxMoves: balance.maxMoves ?? null,
      frozenInstances: balance.frozenInstances.length,
      patching: { patchMinutes: timing.patchMinutes, ...timing.limits },
    },
    cells: parts.map((p) => p.report),
    hosts: parts.flatMap((p) => p.rows),
    timings: {
      totalMs: Math.round(performance.now() - start),
      nPlusOneMs: parts.reduce((sum, p) => sum + p.report.nPlusOne.ms, 0),
      balanceMs,
      patchingMs: Math.round(parts.reduce((sum, p) => sum + p.patchingMs, 0)),
    },
  };
}

function hostRow(
  host: Host,
  instances: readonly Instance[],
  maintenance: ReadonlySet<string>,
  drain: DrainCheck,
): HostRow {
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
