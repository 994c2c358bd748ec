/** OpenAPI paths and schemas of the maintenance campaign routes (src/http/routes/maintenance.ts). */
import { CAMPAIGN_HOST_STATES, CAMPAIGN_STATUSES } from '../../maintenance/types.js';

type Doc = Record<string, unknown>;

const str = { type: 'string' };
const int = { type: 'integer' };
const nullable = (type: string) => ({ type: [type, 'null'] });
const arr = (items: Doc) => ({ type: 'array', items });
const obj = (properties: Record<string, Doc>) => ({ type: 'object', properties, required: Object.keys(properties) });
const status = { type: 'string', enum: [...CAMPAIGN_STATUSES] };

export const maintenanceSchemas: Doc = {
  Campaign: obj({
    id: str,
    status,
    reason: nullable('string'),
    request: { type: 'object' },
    createdAt: str,
    updatedAt: str,
    feasible: { type: 'boolean' },
    metrics: { type: 'object' },
    hosts: { type: 'object', additionalProperties: { type: 'string', enum: [...CAMPAIGN_HOST_STATES] } },
    steps: arr(
      obj({
        index: int,
        hosts: arr(
          obj({ host: str, state: { enum: [...CAMPAIGN_HOST_STATES] }, since: str, reason: nullable('string') }),
        ),
        planId: nullable('string'),
        moves: arr({ type: 'object' }),
        unplaced: arr({ type: 'object' }),
        gibToCopy: { type: 'number' },
      }),
    ),
    unplaced: arr({ type: 'object' }),
    eta: { oneOf: [obj({ seconds: int, at: str }), { type: 'null' }] },
  }),
  CampaignList: obj({
    campaigns: arr(
      obj({
        id: str,
        status,
        reason: nullable('string'),
        hosts: arr(str),
        maxUnavailable: int,
        steps: int,
        createdAt: str,
        updatedAt: str,
      }),
    ),
  }),
  CampaignEventList: obj({ events: arr(obj({ id: int, type: str, data: {}, at: str })), next: int }),
};

type Param = { name: string; in: 'query' | 'path'; type?: string; repeat?: boolean; description: string };
const param = (p: Param) => {
  const base = { type: p.type ?? 'string' };
  return {
    name: p.name,
    in: p.in,
    required: p.in === 'path',
    description: p.description,
    schema: p.repeat ? { type: 'array', items: base } : base,
    ...(p.repeat ? { style: 'form', explode: true } : {}),
  };
};
const id = param({ name: 'id', in: 'path', description: 'Campaign id' });

/** Builds the paths with the document's own response helpers. */
export function maintenancePaths(ok: (d: string, schema: string) => Doc, errors: Doc, err: (d: string) => Doc): Doc {
  const action = (summary: string, operationId: string, extra: Doc[] = []) => ({
    post: {
      summary,
      operationId,
      parameters: [id, ...extra],
      responses: { '200': ok('The campaign', 'Campaign'), ...errors, '409': err('Not possible in its current state') },
    },
  });
  return {
    '/maintenance': {
      post: {
        summary: 'Plan a rolling maintenance campaign (and with execute=true run it)',
        operationId: 'createCampaign',
        parameters: [
          param({ name: 'host', in: 'query', repeat: true, description: 'Host to patch (repeatable)' }),
          param({ name: 'cell', in: 'query', repeat: true, description: 'Patch every enabled, up host of the cell' }),
          param({ name: 'maxUnavailable', in: 'query', type: 'integer', description: 'Hosts of a cell out at once' }),
          param({ name: 'execute', in: 'query', type: 'boolean', description: 'Start the campaign at once' }),
        ],
        responses: { '201': ok('Campaign stored', 'Campaign'), ...errors },
      },
      get: {
        summary: 'Maintenance campaigns, newest first',
        operationId: 'listCampaigns',
        parameters: [param({ name: 'limit', in: 'query', type: 'integer', description: '1..1000, default 100' })],
        responses: { '200': ok('Campaigns', 'CampaignList'), ...errors },
      },
    },
    '/maintenance/{id}': {
      get: {
        summary: 'A campaign: steps, host states, moves, ETA',
        operationId: 'getCampaign',
        parameters: [id],
        responses: { '200': ok('The campaign', 'Campaign'), ...errors },
      },
    },
    '/maintenance/{id}/events': {
      get: {
        summary: 'Events of a campaign (steps, patch command output, pauses)',
        operationId: 'campaignEvents',
        parameters: [
          id,
          param({ name: 'after', in: 'query', type: 'integer', description: 'Only events with a larger id' }),
          param({ name: 'limit', in: 'query', type: 'integer', description: '1..1000, default 200' }),
        ],
        responses: { '200': ok('Events in order', 'CampaignEventList'), ...errors },
      },
    },
    '/maintenance/{id}/hosts/{host}/done': action('The operator says the host is patched', 'campaignHostDone', [
      param({ name: 'host', in: 'path', description: 'A host awaiting its patch' }),
    ]),
    '/maintenance/{id}/pause': action('Pause a running campaign', 'pauseCampaign'),
    '/maintenance/{id}/resume': action('Start or resume a campaign (failed hosts are retried)', 'resumeCampaign'),
    '/maintenance/{id}/cancel': action('Cancel a campaign (a running drain is stopped)', 'cancelCampaign'),
  };
}
