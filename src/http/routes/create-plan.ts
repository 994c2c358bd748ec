/**
 * POST /plans/drain and POST /plans/balance: validate against the current inventory, plan,
 * store with the maintenance claim for drained hosts (atomically, the rule shared with the CLI
 * in orchestrate/store-plan.ts), optionally start.
 * A rejected request changes nothing.
 */
import { Router, type Request, type Response } from 'express';
import { plan, type Inventory, type Plan, type PlanRequest } from '../../../planner/index.js';
import { validateRequest, type RequestInput } from '../../../planner/model/request.js';
import type { AppDeps } from '../deps.js';
import { ApiError, conflict, notFound, type ErrorDetail } from '../errors.js';
import { readParams, type ParamSpecs } from '../params.js';
import { cellsOf, sliceCells } from '../slice.js';
import { planView } from '../views.js';
import { planLogger } from '../../log.js';
import { activeHolders, storePlan } from '../../orchestrate/store-plan.js';
import type { MaintenanceRecord } from '../../../executor/store.js';

const DRAIN_PARAMS: ParamSpecs = {
  host: { type: 'string', repeatable: true, required: true },
  cell: { type: 'string' },
  execute: { type: 'boolean' },
  dryRun: { type: 'boolean' },
};
const BALANCE_PARAMS: ParamSpecs = {
  cell: { type: 'string', repeatable: true },
  threshold: { type: 'number', min: 0, max: 1 },
  maxMoves: { type: 'integer', min: 0 },
  execute: { type: 'boolean' },
  dryRun: { type: 'boolean' },
};

/** Unknown names are 404 (the resource does not exist); any other problem is a 400. */
function rejectInvalid(inventory: Inventory, request: PlanRequest, cells: string[]): void {
  const hosts = request.goal === 'drain' ? request.hosts : [];
  const input: RequestInput =
    request.goal === 'drain'
      ? { goal: 'drain', hosts, cells: cells.length ? cells : undefined }
      : { goal: 'balance', cells, threshold: request.threshold, maxMoves: request.maxMoves };
  const issues = validateRequest(inventory, input);
  if (!issues.length) return;
  const knownHosts = new Set(inventory.hosts.map((h) => h.name));
  const knownCells = new Set(inventory.hosts.map((h) => h.cell));
  const unknownHosts = hosts.filter((h) => !knownHosts.has(h));
  const unknownCells = cells.filter((c) => !knownCells.has(c));
  const details: ErrorDetail[] = issues.map((i) => ({ path: i.path, message: i.message }));
  if (issues.length === unknownHosts.length + unknownCells.length) {
    const what = unknownHosts.length
      ? `host ${unknownHosts.map((h) => `"${h}"`).join(', ')}`
      : `cell ${unknownCells.map((c) => `"${c}"`).join(', ')}`;
    throw notFound(unknownHosts.length ? 'UNKNOWN_HOST' : 'UNKNOWN_CELL', `unknown ${what}`, details);
  }
  const mismatch = issues.every((i) => / is in cell /.test(i.message));
  throw new ApiError(
    400,
    mismatch ? 'HOST_NOT_IN_CELL' : 'INVALID_PARAMETER',
    issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    details,
  );
}

/** 409 naming the active plan that is draining the host (the only claim that refuses a drain). */
function rejectHeld(held: MaintenanceRecord[]): void {
  if (!held.length) return;
  const first = held[0];
  throw conflict(
    'HOST_IN_MAINTENANCE',
    `host "${first.host}" is being drained by plan ${first.planId}: wait for it to end or cancel it`,
    held.map((m) => ({
      path: 'host',
      message: `host "${m.host}" is held by plan ${m.planId} since ${new Date(m.since).toISOString()}`,
      host: m.host,
      planId: m.planId,
    })),
  );
}

function computePlan(deps: AppDeps, inventory: Inventory, request: PlanRequest): Plan {
  const maintenance = deps.store.listMaintenance().map((m) => m.host);
  const frozen =
    request.goal === 'balance' ? inventory.instances.filter((i) => maintenance.includes(i.host)).map((i) => i.id) : [];
  const req =
    request.goal === 'balance'
      ? { ...request, frozenInstances: [...(request.frozenInstances ?? []), ...frozen] }
      : request;
  const { timeoutPerGiBSeconds, method, migrationOverheadSeconds } = deps.config.planner;
  return plan(inventory, req, {
    timeoutPerGiBSeconds,
    method,
    migrationOverheadSeconds,
    avoidHosts: maintenance,
    seed: 1,
    now: () => deps.clock.now(),
  });
}

async function createPlan(
  deps: AppDeps,
  req: Request,
  res: Response,
  request: PlanRequest,
  p: Record<string, unknown>,
  cells: string[],
) {
  const inventory = await deps.inventorySource();
  rejectInvalid(inventory, request, cells);
  const drained = request.goal === 'drain' ? request.hosts : [];
  rejectHeld(activeHolders(deps.store, drained)); // early, before planning; the store decides below
  // Instances never leave their cell: plan on the cells involved only.
  const scope = request.goal === 'drain' ? cellsOf(inventory, drained) : cells;
  const result = computePlan(deps, sliceCells(inventory, scope), request);
  if (p.dryRun === true) {
    res.status(200).json({ dryRun: true, ...result });
    return;
  }
  const stored = storePlan(deps.store, result, 'api', deps.clock.now());
  if (!stored.ok) return rejectHeld(stored.heldBy);
  const { record } = stored;
  const id = record.id;
  planLogger(req.log, id).info(
    { goal: result.goal, target: result.target, moves: result.moves.length, feasible: result.feasible },
    'plan created',
  );
  if (p.execute === true) deps.runner.start(id);
  const latest = deps.store.getPlan(id) ?? record;
  res
    .status(201)
    .location(`/plans/${id}`)
    .json(planView(latest, deps.store.listMoves(id)));
}

export function createPlanRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/plans/drain', async (req, res) => {
    const p = readParams(req, DRAIN_PARAMS);
    const cells = p.cell ? [p.cell as string] : [];
    await createPlan(deps, req, res, { goal: 'drain', hosts: p.host as string[] }, p, cells);
  });
  router.post('/plans/balance', async (req, res) => {
    const p = readParams(req, BALANCE_PARAMS);
    const cells = (p.cell as string[] | undefined) ?? [];
    const request: PlanRequest = {
      goal: 'balance',
      cells,
      threshold: p.threshold as number | undefined,
      maxMoves: p.maxMoves as number | undefined,
    };
    await createPlan(deps, req, res, request, p, cells);
  });
  return router;
}
