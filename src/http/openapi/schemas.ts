/** JSON Schemas (2020-12 subset) of the API's response bodies, for the OpenAPI document. */
import { MOVE_STATES, PLAN_SOURCES, PLAN_STATUSES } from '../../orchestrate/lifecycle.js';

type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const num: Schema = { type: 'number' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const nullable = (type: string): Schema => ({ type: [type, 'null'] });
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  ...extra,
});
const arr = (items: Schema): Schema => ({ type: 'array', items });

const PLAN_STATUS = { type: 'string', enum: [...PLAN_STATUSES] };
const MOVE_STATE = { type: 'string', enum: [...MOVE_STATES] };
const PLAN_SOURCE = { type: 'string', enum: [...PLAN_SOURCES] };
const strings = { type: 'array', items: str };

/** The request a plan was made for (null for plans stored before requests were kept). */
const planRequest: Schema = {
  type: ['object', 'null'],
  required: ['goal', 'source'],
  properties: {
    goal: { type: 'string', enum: ['drain', 'balance'] },
    hosts: strings,
    cells: strings,
    threshold: num,
    maxMoves: int,
    frozenInstances: strings,
    method: { type: 'string', enum: ['auto', 'heuristic', 'exact'] },
    source: PLAN_SOURCE,
  },
};
const stat = obj({ max: num, cv: num });

const planCore: Record<string, Schema> = {
  goal: { type: 'string', enum: ['drain', 'balance'] },
  target: { type: 'object', properties: { hosts: arr(str), cells: arr(str) } },
  feasible: bool,
  unplaced: arr(obj({ instance: str, name: str, host: str, code: str, reason: str })),
  metrics: {
    type: 'object',
    required: ['before', 'after', 'moves', 'gibToCopy', 'waves', 'method'],
    properties: {
      before: { type: 'object', additionalProperties: ref('CellStats') },
      after: { type: 'object', additionalProperties: ref('CellStats') },
      moves: int,
      gibToCopy: num,
      waves: int,
      method: str,
      objective: num,
      lowerBound: num,
      gap: num,
      extraMoves: int,
      extraGib: num,
    },
  },
};

const moveCore: Record<string, Schema> = {
  instance: str,
  name: str,
  from: str,
  to: str,
  mode: { type: 'string', enum: ['live', 'block', 'cold'] },
  wave: int,
  estimatedSeconds: num,
  timeoutSeconds: num,
  gib: num,
};

/** Move fields that may be absent: `converges` is there (false) only when pre-copy will not converge. */
const optionalMove = (schema: Schema): Schema => ({
  ...schema,
  properties: { ...(schema.properties as Record<string, Schema>), converges: { type: 'boolean', enum: [false] } },
});

const header: Record<string, Schema> = {
  id: str,
  status: PLAN_STATUS,
  source: PLAN_SOURCE,
  createdAt: str,
  updatedAt: str,
  supersedes: nullable('string'),
  supersededBy: nullable('string'),
  request: planRequest,
};

const links = obj({ self: str, execute: str, cancel: str, events: str });
const storedError = {
  type: ['object', 'null'],
  required: ['code', 'message'],
  properties: { code: str, message: str },
};

export const schemas: Record<string, Schema> = {
  Error: obj({
    error: obj({
      code: str,
      message: str,
      details: arr({ type: 'object', required: ['path', 'message'], properties: { path: str, message: str } }),
    }),
  }),
  CellStats: obj({ hosts: int, cpuAlloc: stat, memAlloc: stat, cpuUsage: { oneOf: [stat, { type: 'null' }] } }),
  Move: optionalMove(
    obj({
      index: int,
      ...moveCore,
      state: MOVE_STATE,
      attempts: int,
      progress: obj({
        percent: num,
        processedBytes: nullable('number'),
        totalBytes: nullable('number'),
        etaSeconds: nullable('number'),
      }),
      error: storedError,
      startedAt: nullable('string'),
      endedAt: nullable('string'),
    }),
  ),
  Plan: obj({
    ...header,
    ...planCore,
    moves: arr(ref('Move')),
    progress: obj({ movesTotal: int, movesDone: int, byState: { type: 'object', additionalProperties: int } }),
    etaSeconds: num,
    summary: {},
    outcome: {
      description:
        'The goal checked after execution (drain: drained hosts empty, what remains or arrived; ' +
        'balance: imbalance planned and achieved per cell); null until the plan has ended',
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['goal', 'met', 'checkedAt'],
          properties: { goal: { enum: ['drain', 'balance'] }, met: bool, checkedAt: num },
        },
      ],
    },
    error: storedError,
    links,
  }),
  DryRunPlan: obj({
    dryRun: { const: true },
    ...planCore,
    moves: arr(optionalMove(obj(moveCore))),
    request: planRequest,
  }),
  PlanSummary: obj({
    ...header,
    goal: planCore.goal,
    target: planCore.target,
    feasible: bool,
    moveCount: int,
    unplacedCount: int,
    links,
  }),
  PlanList: obj({ plans: arr(ref('PlanSummary')), next: nullable('string') }),
  EventList: obj({
    events: arr(obj({ id: int, moveIndex: nullable('integer'), type: str, data: {}, at: str })),
    next: int,
  }),
  Host: obj({
    name: str,
    cell: str,
    zone: nullable('string'),
    enabled: bool,
    state: { type: 'string', enum: ['up', 'down'] },
    vcpus: int,
    memoryMb: num,
    diskGb: num,
    instances: int,
    utilisation: obj({ cpuAlloc: num, memAlloc: num, diskAlloc: num, cpuUsage: nullable('number') }),
    maintenance: {
      type: ['object', 'null'],
      required: ['since', 'reason', 'planId'],
      properties: { since: str, reason: str, planId: nullable('string') },
    },
  }),
  HostList: obj({ hosts: arr(ref('Host')) }),
  HostDetail: {
    allOf: [
      ref('Host'),
      obj({
        instanceList: arr(
          obj({
            id: str,
            name: str,
            status: str,
            vcpus: int,
            memoryMb: num,
            diskGb: num,
            storage: str,
            serverGroup: nullable('string'),
          }),
        ),
      }),
    ],
  },
  Health: obj({ status: { const: 'ok' } }),
  Readiness: obj({
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    checks: obj(
      {
        store: ref('Check'),
        inventory: {
          allOf: [ref('Check')],
          type: 'object',
          required: ['ageSeconds', 'maxAgeSeconds'],
          properties: { ageSeconds: nullable('number'), maxAgeSeconds: num },
        },
        hypervisors: {
          allOf: [ref('Check')],
          type: 'object',
          required: ['hosts'],
          properties: { hosts: arr({ allOf: [ref('Check')], ...obj({ host: str }) }) },
        },
      },
      { required: ['store', 'inventory'] },
    ),
  }),
  Check: {
    type: 'object',
    required: ['state'],
    properties: { state: { type: 'string', enum: ['ok', 'failing'] }, reason: str },
  },
};
