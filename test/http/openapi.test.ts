import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { checkResponse, validateSchema } from './support/openapi-validator.js';
import { startHarness, type Harness } from './support/harness.js';

describe('GET /openapi.json', () => {
  let t: Harness;
  let doc: any;
  beforeAll(async () => {
    t = await startHarness({ inventory: demoRegion({ seed: 2, cells: 1, size: 6 }) });
    doc = (await t.call('GET', '/openapi.json')).body;
  });
  afterAll(() => t.close());

  it('is OpenAPI 3.1 and documents every route of the API', () => {
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(routes.sort()).toEqual([
      'GET /healthz',
      'GET /hosts',
      'GET /hosts/{name}',
      'GET /maintenance',
      'GET /maintenance/{id}',
      'GET /maintenance/{id}/events',
      'GET /metrics',
      'GET /openapi.json',
      'GET /plans',
      'GET /plans/{id}',
      'GET /plans/{id}/events',
      'GET /readyz',
      'GET /reports/capacity',
      'POST /hosts/{name}/maintenance',
      'POST /maintenance',
      'POST /maintenance/{id}/cancel',
      'POST /maintenance/{id}/hosts/{host}/done',
      'POST /maintenance/{id}/pause',
      'POST /maintenance/{id}/resume',
      'POST /plans/balance',
      'POST /plans/drain',
      'POST /plans/{id}/cancel',
      'POST /plans/{id}/execute',
    ]);
  });

  it('resolves every $ref', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs)
      expect(
        r.split('/').reduce((o: any, k) => o?.[k], doc),
        r,
      ).toBeDefined();
  });

  it('the validator used by every test rejects what the document does not allow', () => {
    const planSchema = { $ref: '#/components/schemas/Plan' };
    expect(validateSchema(doc, planSchema, { id: 1 })).not.toEqual([]);
    expect(checkResponse(doc, 'GET', '/plans/x', 200, 'application/json', { plans: [] })).not.toEqual([]);
    expect(checkResponse(doc, 'GET', '/plans/x', 418, 'application/json', {})).toEqual([
      'GET /plans/{id}: status 418 not documented',
    ]);
    expect(checkResponse(doc, 'GET', '/healthz', 200, 'application/json', { status: 'ok' })).toEqual([]);
    expect(checkResponse(doc, 'GET', '/healthz', 200, 'application/json', { status: 'fine' })).toEqual([
      'GET /healthz 200: $.status: expected "ok"',
    ]);
  });
});

describe('GET /reports/capacity', () => {
  let t: Harness;
  beforeAll(async () => (t = await startHarness({ inventory: demoRegion({ seed: 2, cells: 2, size: 10 }) })));
  afterAll(() => t.close());

  it.each([
    ['?format=json', {}, 'application/json'],
    ['?format=csv', {}, 'text/csv'],
    ['', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, 'text/html'],
    ['', { accept: 'text/csv' }, 'text/csv'],
    ['', {}, 'application/json'],
  ])('serves %s %j as %s', async (query, headers, type) => {
    const r = await t.call('GET', `/reports/capacity${query}`, { headers });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain(type);
    if (type === 'text/html') expect(r.body).toMatch(/<html/i);
    if (type === 'application/json') expect(JSON.stringify(r.body)).toContain('cell2');
    if (type === 'text/csv') expect(r.body.split('\n').length).toBeGreaterThan(10);
  });

  it('answers 400 for an unknown format and 406 for an unacceptable Accept', async () => {
    const bad = await t.call('GET', '/reports/capacity?format=pdf');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].message).toContain('"pdf"');
    const na = await t.call('GET', '/reports/capacity', { headers: { accept: 'application/pdf' } });
    expect(na.status).toBe(406);
  });
});
