/**
 * The API's response bodies as zod schemas. The views (src/http/views.ts, src/maintenance/view.ts)
 * are typed by them, the OpenAPI document's `components.schemas` is generated from them
 * (./document.ts), and the tests check every served response against that document.
 */
import { z } from 'zod';
import { CAMPAIGN_HOST_STATES, CAMPAIGN_STATUSES } from '../../maintenance/types.js';
import { MOVE_STATES, PLAN_SOURCES, PLAN_STATUSES } from '../../orchestrate/lifecycle.js';
import { CHECK_STATES } from '../readiness.js';

/** Named schemas: each becomes `#/components/schemas/<id>` and is referred to by that name. */
export const schemaRegistry = z.registry<{ id: string }>();
const named = <T extends z.ZodType>(id: string, schema: T, description?: string): T => {
  const described = description ? schema.describe(description) : schema;
  schemaRegistry.add(described, { id });
  return described;
};

const str = z.string();
const num = z.number();
const int = z.int();
const bool = z.boolean();
const GOAL = z.enum(['drain', 'balance']);
const strings = z.array(str);

export const ApiErrorBody = named(
  'Error',
  z.object({
    error: z.object({
      code: str,
      message: str,
      details: z.array(z.looseObject({ path: str, message: str })),
    }),
  }),
  'Every error: a stable code, a message, and one detail per problem (parameter or field in `path`)',
);

const stat = z.object({ max: num, cv: num });
const CellStats = named(
  'CellStats',
  z.object({ hosts: int, cpuAlloc: stat, memAlloc: stat, cpuUsage: stat.nullable() }),
  'Allocation and utilisation of the hosts of one cell',
);

const requestCommon = {
  frozenInstances: strings.optional(),
  method: z.enum(['auto', 'heuristic', 'exact']).optional(),
  source: z.enum(PLAN_SOURCES),
};
/** The request a plan was made for (null for plans stored before requests were kept). */
const PlanRequest = z
  .discriminatedUnion('goal', [
    z.object({
      goal: z.literal('drain'),
      hosts: strings,
      makeRoom: bool.optional(),
      later: strings.optional().describe("A campaign step's drain: the target hosts of the campaign's later steps"),
      ownHosts: strings
        .optional()
        .describe("A campaign step's drain: hosts in maintenance it may still fill (the hosts its campaign names)"),
      ...requestCommon,
    }),
    z.object({
      goal: z.literal('balance'),
      cells: strings.optional(),
      threshold: num.optional(),
      maxMoves: int.optional(),
      timeBudget: z.object({ seconds: num, concurrency: int }).optional(),
      ...requestCommon,
    }),
  ])
  .nullable();

const Unplaced = z.object({ instance: str, name: str, host: str, code: str, reason: str });

const planCore = {
  goal: GOAL,
  target: z.object({ hosts: strings.optional(), cells: strings.optional() }),
  feasible: bool,
  unplaced: z.array(Unplaced),
  metrics: z.object({
    before: z.record(str, CellStats),
    after: z.record(str, CellStats),
    moves: int,
    gibToCopy: num,
    waves: int,
    method: str,
    objective: num.optional(),
    lowerBound: num.optional(),
    gap: num.optional(),
    extraMoves: int.optional(),
    extraGib: num.optional(),
  }),
};

const moveCore = {
  instance: str,
  name: str,
  from: str,
  to: str,
  mode: z.enum(['live', 'block', 'cold']),
  wave: int,
  estimatedSeconds: num,
  timeoutSeconds: num,
  gib: num,
  converges: z
    .literal(false)
    .optional()
    .describe('Present (false) only when pre-copy is predicted not to converge; the move then uses auto-converge'),
};

const StoredError = z.object({ code: str, message: str }).nullable();

export const MoveBody = named(
  'Move',
  z.object({
    index: int,
    ...moveCore,
    state: z.enum(MOVE_STATES),
    attempts: int,
    progress: z.object({
      percent: num,
      processedBytes: num.nullable(),
      totalBytes: num.nullable(),
      etaSeconds: num.nullable(),
    }),
    error: StoredError,
    startedAt: str.nullable(),
    endedAt: str.nullable(),
  }),
  'A move of a stored plan with its state and the last progress sample',
);

const header = {
  id: str,
  status: z.enum(PLAN_STATUSES),
  source: z.enum(PLAN_SOURCES),
  createdAt: str,
  updatedAt: str,
  supersedes: str.nullable(),
  supersededBy: str.nullable(),
  request: PlanRequest,
};

const PlanLinks = z.object({ self: str, execute: str, cancel: str, events: str });

const OutcomeInstance = z.object({ id: str, name: str });
const Outcome = z
  .discriminatedUnion('goal', [
    z.object({
      goal: z.literal('drain'),
      met: bool,
      checkedAt: num,
      hosts: z.array(
        z.object({ host: str, empty: bool, remaining: z.array(OutcomeInstance), arrived: z.array(OutcomeInstance) }),
      ),
      followUp: z.object({ planId: str.nullable(), instances: strings, note: str }).nullable(),
    }),
    z.object({
      goal: z.literal('balance'),
      met: bool,
      checkedAt: num,
      cells: z.array(z.object({ cell: str, planned: num, achieved: num, before: num })),
    }),
  ])
  .nullable()
  .describe(
    'The goal checked after execution (drain: drained hosts empty, what remains or arrived; balance: imbalance ' +
      'planned and achieved per cell); null until the plan has ended',
  );

export const PlanBody = named(
  'Plan',
  z.object({
    ...header,
    ...planCore,
    moves: z.array(MoveBody),
    progress: z.object({ movesTotal: int, movesDone: int, byState: z.record(str, int) }),
    etaSeconds: num,
    summary: z.unknown(),
    outcome: Outcome,
    error: StoredError,
    links: PlanLinks,
  }),
  "A stored plan: the plan in the spec format, each move's state and progress, the ETA",
);

export const DryRunPlanBody = named(
  'DryRunPlan',
  z.object({
    dryRun: z.literal(true),
    ...planCore,
    moves: z.array(z.object(moveCore)),
    request: PlanRequest,
  }),
  'A plan that was not stored',
);

export const PlanSummaryBody = named(
  'PlanSummary',
  z.object({
    ...header,
    goal: planCore.goal,
    target: planCore.target,
    feasible: bool,
    moveCount: int,
    unplacedCount: int,
    links: PlanLinks,
  }),
  'A plan in a list: counts instead of moves',
);

export const PlanListBody = named(
  'PlanList',
  z.object({
    plans: z.array(PlanSummaryBody),
    next: str.nullable().describe('Cursor for the next page (pass it as `after`); null on the last page'),
  }),
);

export const EventListBody = named(
  'EventList',
  z.object({
    events: z.array(z.object({ id: int, moveIndex: int.nullable(), type: str, data: z.unknown(), at: str })),
    next: int,
  }),
);

export const HostBody = named(
  'Host',
  z.object({
    name: str,
    cell: str,
    zone: str.nullable(),
    enabled: bool,
    state: z.enum(['up', 'down']),
    vcpus: int,
    memoryMb: num,
    diskGb: num,
    instances: int,
    utilisation: z.object({ cpuAlloc: num, memAlloc: num, diskAlloc: num, cpuUsage: num.nullable() }),
    maintenance: z.object({ since: str, reason: str, planId: str.nullable() }).nullable(),
  }),
  'A host with its utilisation and maintenance',
);

export const HostListBody = named('HostList', z.object({ hosts: z.array(HostBody) }));

export const HostDetailBody = named(
  'HostDetail',
  HostBody.extend({
    instanceList: z.array(
      z.object({
        id: str,
        name: str,
        status: str,
        vcpus: int,
        memoryMb: num,
        diskGb: num,
        storage: str,
        serverGroup: str.nullable(),
      }),
    ),
  }),
  'A host and its instances',
);

const ROLE = z.enum(['leader', 'standby']).describe('This replica leads (runs executions) or stands by');

export const HealthBody = named('Health', z.object({ status: z.literal('ok'), role: ROLE }));

const Check = named(
  'Check',
  z.object({ state: z.enum(CHECK_STATES), reason: str.optional().describe('Why it is failing') }),
);
export const ReadinessBody = named(
  'Readiness',
  z.object({
    status: z.enum(['ready', 'not_ready']),
    role: ROLE,
    checks: z.object({
      store: Check,
      inventory: Check.extend({ ageSeconds: num.nullable(), maxAgeSeconds: num }),
      hypervisors: Check.extend({ hosts: z.array(Check.extend({ host: str })) }).optional(),
    }),
  }),
);

const CAMPAIGN_STATUS = z.enum(CAMPAIGN_STATUSES);
const CAMPAIGN_HOST_STATE = z.enum(CAMPAIGN_HOST_STATES);

export const CampaignBody = named(
  'Campaign',
  z.object({
    id: str,
    status: CAMPAIGN_STATUS,
    reason: str.nullable(),
    request: z.object({
      hosts: strings.optional(),
      cells: strings.optional(),
      maxUnavailable: int,
      source: z.enum(['api', 'cli']),
    }),
    createdAt: str,
    updatedAt: str,
    feasible: bool,
    metrics: z.object({
      moves: int,
      gibToCopy: num,
      instancesMovedTwiceOrMore: int.describe('Instances that move in more than one step'),
      lowerBoundGib: num.describe('GiB any campaign must copy: every movable instance of the target hosts once'),
      steps: int,
      repeatGib: num.describe('GiB copied by moves of instances that had already moved in an earlier step'),
    }),
    hosts: z.record(str, CAMPAIGN_HOST_STATE),
    steps: z.array(
      z.object({
        index: int,
        hosts: z.array(z.object({ host: str, state: CAMPAIGN_HOST_STATE, since: str, reason: str.nullable() })),
        planId: str.nullable(),
        moves: z.array(
          z.object({
            instance: str,
            name: str,
            from: str,
            to: str,
            mode: moveCore.mode,
            wave: int,
            gib: num,
            state: str.describe("The move's state once the step's drain is stored, `forecast` before"),
          }),
        ),
        unplaced: z.array(Unplaced),
        gibToCopy: num,
      }),
    ),
    unplaced: z.array(Unplaced),
    eta: z.object({ seconds: int, at: str }).nullable(),
  }),
  'A maintenance campaign: steps in order, host states, moves, ETA',
);

export const CampaignListBody = named(
  'CampaignList',
  z.object({
    campaigns: z.array(
      z.object({
        id: str,
        status: CAMPAIGN_STATUS,
        reason: str.nullable(),
        hosts: strings,
        maxUnavailable: int,
        steps: int,
        createdAt: str,
        updatedAt: str,
      }),
    ),
  }),
);

export const CampaignEventListBody = named(
  'CampaignEventList',
  z.object({ events: z.array(z.object({ id: int, type: str, data: z.unknown(), at: str })), next: int }),
);

export type PlanView = z.output<typeof PlanBody>;
export type PlanSummaryView = z.output<typeof PlanSummaryBody>;
export type PlanListView = z.output<typeof PlanListBody>;
export type HostView = z.output<typeof HostBody>;
export type HostDetailView = z.output<typeof HostDetailBody>;
export type CampaignView = z.output<typeof CampaignBody>;
export type CampaignSummaryView = z.output<typeof CampaignListBody>['campaigns'][number];
