/**
 * POST /plans/drain and POST /plans/balance: validate against the current inventory, then plan,
 * store (a drain with the maintenance claim on its hosts) and optionally start through the plan
 * lifecycle (src/orchestrate/lifecycle.ts).
 * A rejected request changes nothing.
 */
import type { ApiRequest, FastifyInstance, FastifyReply } from '../routing.js';
import { requestLog } from '../request-log.js';
import { validateRequest, type Inventory, type RequestInput } from '../../../planner/index.js';
import type { AppDeps } from '../deps.js';
import { ApiError, conflict, notFound, type ErrorDetail } from '../errors.js';
import { operations } from '../contract/operations.js';
import { readParams } from '../params.js';
import { cellsOf, sliceCells } from '../../inventory/slice.js';
import { planView } from '../views.js';
import { planLogger } from '../../log.js';
import type { PlanRequestRecord } from '../../orchestrate/lifecycle.js';
import type { MaintenanceRecord } from '../../store/port.js';

/**
 * Unknown names are 404 (the resource does not exist); any other problem is a 400. `scope` is the
 * inventory, or for a drain its slice of the named hosts' cells: every host is in it exactly when it
 * is in the inventory, and a valid drain's cell is its hosts' cell, so the request is valid on the
 * slice exactly when it is valid on the inventory. A rejected request is checked again on the whole
 * inventory, for its messages (near names are suggested from every host).
 */
function rejectInvalid(inventory: Inventory, scope: Inventory, request: PlanRequestRecord, cells: string[]): void {
  const hosts = request.goal === 'drain' ? request.hosts : [];
  const input: RequestInput =
    request.goal === 'drain'
      ? { goal: 'drain', hosts, cells: cells.length ? cells : undefined }
      : { goal: 'balance', cells, threshold: request.threshold, maxMoves: request.maxMoves };
  if (!validateRequest(scope, input).length) return;
  const issues = validateRequest(inventory, input);
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

async function createPlan(
  deps: AppDeps,
  req: ApiRequest,
  reply: FastifyReply,
  request: PlanRequestRecord,
  p: { execute?: boolean; dryRun?: boolean },
  cells: string[],
) {
  const { lifecycle } = deps;
  const inventory = await deps.inventorySource();
  const drained = request.goal === 'drain' ? request.hosts : [];
  // Instances never leave their cell: plan on the cells involved only.
  const target = sliceCells(inventory, request.goal === 'drain' ? cellsOf(inventory, drained) : cells);
  // a drain is checked on its slice (see rejectInvalid); a balance on the inventory, since its cells may not exist
  rejectInvalid(inventory, request.goal === 'drain' ? target : inventory, request, cells);
  rejectHeld(await lifecycle.activeHolders(drained)); // early, before planning; the store decides below
  const planned = await lifecycle.plan(target, request);
  const result = planned.plan;
  if (p.dryRun === true) {
    reply.code(200).send({ dryRun: true, ...result, request });
    return;
  }
  const stored = await lifecycle.save(planned);
  if (!stored.ok) return rejectHeld(stored.heldBy);
  const { record } = stored;
  const id = record.id;
  planLogger(requestLog(deps.log, req), id).info(
    { goal: result.goal, target: result.target, moves: result.moves.length, feasible: result.feasible },
    'plan created',
  );
  if (p.execute === true) await lifecycle.start(id);
  const latest = (await lifecycle.read.getPlan(id)) ?? record;
  reply
    .code(201)
    .header('Location', `/plans/${id}`)
    .send(planView(latest, await lifecycle.read.listMoves(id)));
}

export function createPlanRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post('/plans/drain', async (req: ApiRequest, reply: FastifyReply) => {
    const p = readParams(req, operations.drain.query);
    const cells = p.cell ? [p.cell] : [];
    const request: PlanRequestRecord = { goal: 'drain', hosts: p.host, source: 'api' };
    await createPlan(deps, req, reply, request, p, cells);
  });
  app.post('/plans/balance', async (req: ApiRequest, reply: FastifyReply) => {
    const p = readParams(req, operations.balance.query);
    const cells = p.cell ?? [];
    const request: PlanRequestRecord = { goal: 'balance', cells, source: 'api' };
    if (p.threshold !== undefined) request.threshold = p.threshold;
    if (p.maxMoves !== undefined) request.maxMoves = p.maxMoves;
    await createPlan(deps, req, reply, request, p, cells);
  });
}
