/**
 * Every operation of the API: path, method, parameters (zod schemas the routes validate requests
 * with), responses (zod schemas the views are typed by) and the headers they carry. The OpenAPI
 * document is generated from this table (./document.ts); nothing else describes the API.
 */
import { z } from 'zod';
import { PLAN_STATUSES } from '../../orchestrate/lifecycle.js';
import { flag, integer, list, number, oneOf, params, text, type ParamsSchema } from './query.js';
import {
  CampaignBody,
  CampaignEventListBody,
  CampaignListBody,
  DryRunPlanBody,
  EventListBody,
  HealthBody,
  HostDetailBody,
  HostListBody,
  PlanBody,
  PlanListBody,
  ReadinessBody,
} from './schemas.js';

export const HEADERS = {
  'X-Request-Id': "The request's id (the caller's when well-formed, else generated); the service log carries it",
  Location: 'Address of the stored plan',
  Link: 'The next page (rel="next"), present unless this is the last page',
  ETag: 'Version of a plan that is not running; send it back in If-None-Match',
} as const;
export type HeaderName = keyof typeof HEADERS;

export interface ResponseSpec {
  description: string;
  /** A JSON body (a named schema from ./schemas.ts, or the error shape when absent on an error). */
  body?: z.ZodType;
  /** Other media types, each with its schema. */
  content?: Record<string, z.ZodType>;
  /** Headers beside X-Request-Id, which every response has. */
  headers?: HeaderName[];
  /** No body at all (304). */
  empty?: boolean;
}

export interface Operation {
  method: 'get' | 'post';
  /** OpenAPI path template (`/plans/{id}`). */
  path: string;
  summary: string;
  /** Path parameters and what they name. */
  pathParams?: Record<string, string>;
  /** The query parameters; a POST takes the same names as a JSON object body instead. */
  query: ParamsSchema;
  responses: Record<string, ResponseSpec>;
  /** Answered without a token. */
  public?: boolean;
  /** Only its own error responses (and 405), not the usual ones. */
  ownErrors?: boolean;
}

const none = params({});
const TEXT = z.string();
const ANY_OBJECT = z.looseObject({});
const planId = { id: 'Plan id' };
const hostName = { name: 'Host name from the inventory' };
const campaignId = { id: 'Campaign id' };

const execute = flag('Start executing the plan at once').optional();
const dryRun = flag('Plan only: return the plan with status 200, store nothing, claim no host').optional();
const created = {
  '200': { description: 'Dry run: the plan, nothing stored', body: DryRunPlanBody },
  '201': { description: 'Plan stored', body: PlanBody, headers: ['Location'] },
} satisfies Record<string, ResponseSpec>;
const eventPage = {
  after: integer('Only events with a larger id', { min: 0 }).optional(),
  limit: integer('1..1000, default 200', { min: 1, max: 1000 }).optional(),
};

const campaignAction = (path: string, summary: string, pathParams: Record<string, string> = campaignId): Operation => ({
  method: 'post',
  path,
  summary,
  pathParams,
  query: none,
  responses: {
    '200': { description: 'The campaign', body: CampaignBody },
    '409': { description: 'Not possible in its current state' },
  },
});

export const operations = {
  drain: {
    method: 'post',
    path: '/plans/drain',
    summary: 'Plan emptying hosts (and put them in maintenance)',
    query: params({
      host: list(text(), 'Host to drain (repeatable)'),
      cell: text('Guard: the hosts must be in this cell').optional(),
      execute,
      dryRun,
    }),
    responses: {
      ...created,
      '409': {
        description:
          'A host is being drained by an active plan (planned, running or cancelling); details name the plan. ' +
          'Hosts whose drain ended or in manual maintenance may be drained again',
      },
    },
  },
  balance: {
    method: 'post',
    path: '/plans/balance',
    summary: 'Plan balancing cells',
    query: params({
      cell: list(text(), 'Cell to balance (repeatable); all when absent').optional(),
      threshold: number('Imbalance below which nothing moves (0..1)', { min: 0, max: 1 }).optional(),
      maxMoves: integer('Most moves in the plan', { min: 0 }).optional(),
      execute,
      dryRun,
    }),
    responses: { ...created },
  },
  listPlans: {
    method: 'get',
    path: '/plans',
    summary: 'List plans, newest first',
    query: params({
      status: list(oneOf(PLAN_STATUSES), 'Only plans in these states').optional(),
      limit: integer('1..1000, default 100', { min: 1, max: 1000 }).optional(),
      after: text('Cursor: the `next` of the previous page (only plans listed after that plan id)').optional(),
    }),
    responses: {
      '200': {
        description: 'Plans, and `next` (a cursor, null on the last page)',
        body: PlanListBody,
        headers: ['Link'],
      },
    },
  },
  getPlan: {
    method: 'get',
    path: '/plans/{id}',
    summary: "A plan with each move's state, progress and the ETA",
    pathParams: planId,
    query: none,
    responses: {
      '200': { description: 'The plan', body: PlanBody, headers: ['ETag'] },
      '304': { description: 'Not modified: If-None-Match named the current ETag', headers: ['ETag'], empty: true },
    },
  },
  executePlan: {
    method: 'post',
    path: '/plans/{id}/execute',
    summary: 'Re-verify the plan against a fresh inventory and start it',
    pathParams: planId,
    query: none,
    responses: {
      '202': { description: 'Execution started', body: PlanBody },
      '409': {
        description:
          'Plan not in status planned, or no longer valid for the current inventory (PLAN_STALE lists the violations)',
      },
    },
  },
  cancelPlan: {
    method: 'post',
    path: '/plans/{id}/cancel',
    summary: 'Cancel a planned or running plan',
    pathParams: planId,
    query: none,
    responses: {
      '200': { description: 'Planned plan cancelled', body: PlanBody },
      '202': { description: 'Cancellation requested', body: PlanBody },
      '409': { description: 'The plan already ended' },
    },
  },
  planEvents: {
    method: 'get',
    path: '/plans/{id}/events',
    summary: 'Execution events of a plan',
    pathParams: planId,
    query: params(eventPage),
    responses: { '200': { description: 'Events in order', body: EventListBody } },
  },
  listHosts: {
    method: 'get',
    path: '/hosts',
    summary: 'Hosts with utilisation and maintenance',
    query: params({ cell: text('Only hosts of this cell').optional() }),
    responses: { '200': { description: 'Hosts', body: HostListBody } },
  },
  getHost: {
    method: 'get',
    path: '/hosts/{name}',
    summary: 'One host and its instances',
    pathParams: hostName,
    query: none,
    responses: { '200': { description: 'The host', body: HostDetailBody } },
  },
  setMaintenance: {
    method: 'post',
    path: '/hosts/{name}/maintenance',
    summary: 'Put a host in maintenance or end it',
    pathParams: hostName,
    query: params({
      enabled: flag('true starts, false ends maintenance'),
      reason: text('Why (enabled=true)').optional(),
    }),
    responses: {
      '200': { description: 'The host', body: HostDetailBody },
      '409': { description: 'Held by another claim, or its drain is still running' },
    },
  },
  capacityReport: {
    method: 'get',
    path: '/reports/capacity',
    summary: 'Capacity-review report',
    query: params({ format: oneOf(['html', 'json', 'csv'], 'Overrides the Accept header').optional() }),
    responses: {
      '200': {
        description: 'The report',
        content: { 'text/html': TEXT, 'application/json': ANY_OBJECT, 'text/csv': TEXT },
      },
      '406': { description: 'No acceptable format' },
    },
  },
  createCampaign: {
    method: 'post',
    path: '/maintenance',
    summary: 'Plan a rolling maintenance campaign (and with execute=true run it)',
    query: params({
      host: list(text(), 'Host to patch (repeatable)').optional(),
      cell: list(text(), 'Patch every enabled, up host of the cell (repeatable)').optional(),
      maxUnavailable: integer('Hosts of a cell out at once', { min: 1 }).optional(),
      execute: flag('Start the campaign at once').optional(),
    }),
    responses: { '201': { description: 'Campaign stored', body: CampaignBody } },
  },
  listCampaigns: {
    method: 'get',
    path: '/maintenance',
    summary: 'Maintenance campaigns, newest first',
    query: params({ limit: integer('1..1000, default 100', { min: 1, max: 1000 }).optional() }),
    responses: { '200': { description: 'Campaigns', body: CampaignListBody } },
  },
  getCampaign: {
    method: 'get',
    path: '/maintenance/{id}',
    summary: 'A campaign: steps, host states, moves, ETA',
    pathParams: campaignId,
    query: none,
    responses: { '200': { description: 'The campaign', body: CampaignBody } },
  },
  campaignEvents: {
    method: 'get',
    path: '/maintenance/{id}/events',
    summary: 'Events of a campaign (steps, patch command output, pauses)',
    pathParams: campaignId,
    query: params(eventPage),
    responses: { '200': { description: 'Events in order', body: CampaignEventListBody } },
  },
  campaignHostDone: campaignAction('/maintenance/{id}/hosts/{host}/done', 'The operator says the host is patched', {
    ...campaignId,
    host: 'A host awaiting its patch',
  }),
  pauseCampaign: campaignAction('/maintenance/{id}/pause', 'Pause a running campaign'),
  resumeCampaign: campaignAction('/maintenance/{id}/resume', 'Start or resume a campaign (failed hosts are retried)'),
  cancelCampaign: campaignAction('/maintenance/{id}/cancel', 'Cancel a campaign (a running drain is stopped)'),
  health: {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness (no token needed)',
    query: none,
    public: true,
    ownErrors: true,
    responses: {
      '200': { description: 'Alive', body: HealthBody },
      '400': { description: 'Unknown parameters' },
      '503': { description: 'Store unavailable' },
    },
  },
  ready: {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness (no token needed): store writable, hypervisors answering, inventory fresh',
    query: none,
    public: true,
    ownErrors: true,
    responses: {
      '200': { description: 'Ready', body: ReadinessBody },
      '400': { description: 'Unknown parameters' },
      '503': { description: 'Not ready: the failing checks say why', body: ReadinessBody },
    },
  },
  metrics: {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    query: none,
    responses: { '200': { description: 'Text exposition format 0.0.4', content: { 'text/plain': TEXT } } },
  },
  openapi: {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    query: none,
    responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': ANY_OBJECT } } },
  },
} satisfies Record<string, Operation>;

export type OperationId = keyof typeof operations;
