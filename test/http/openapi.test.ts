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
    expect(checkResponse(doc, 'GET', '/healthz', 200, 'application/json', { status: 'ok', role: 'leader' })).toEqual(
      [],
    );
    expect(checkResponse(doc, 'GET', '/healthz', 200, 'application/json', { status: 'fine', role: 'leader' })).toEqual([
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

describe('requests are validated by the schemas the document is generated from', () => {
  let t: Harness;
  let doc: any;
  beforeAll(async () => {
    t = await startHarness({ inventory: demoRegion({ seed: 2, cells: 1, size: 6 }) });
    doc = (await t.call('GET', '/openapi.json')).body;
  });
  afterAll(() => t.close());

  /** A value the documented schema of a query parameter does not allow. */
  function outside(schema: any): string {
    const s = schema.type === 'array' ? schema.items : schema;
    if (s.enum) return 'not-a-documented-value';
    if (s.type === 'boolean') return 'maybe';
    if (s.type === 'integer') return s.minimum !== undefined ? String(s.minimum - 1) : '1.5';
    if (s.type === 'number') return s.maximum !== undefined ? String(s.maximum + 1) : 'many';
    if (s.type === 'string' && s.minLength > 0) return '';
    throw new Error(`no invalid value for ${JSON.stringify(schema)}`);
  }

  const served = (path: string) => !path.startsWith('/maintenance'); // the harness runs without campaigns
  const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'x');

  it('a value outside a documented parameter schema is a 400 naming the parameter and what it expects', async () => {
    const checked: string[] = [];
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      if (!served(path)) continue;
      for (const [method, op] of Object.entries<any>(ops)) {
        for (const p of op.parameters.filter((q: any) => q.in === 'query')) {
          const value = outside(p.schema);
          const r = await t.call(method.toUpperCase(), `${concrete(path)}?${p.name}=${encodeURIComponent(value)}`);
          expect(r.status, `${method} ${path} ${p.name}=${value}`).toBe(400);
          const detail = r.body.error.details.find((d: any) => d.path === p.name);
          expect(detail?.message, `${method} ${path} ${p.name}`).toMatch(/^expected .+, got /);
          checked.push(`${method} ${path} ${p.name}`);
        }
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(15);
  });

  it('a name the document does not list is a 400 on every operation', async () => {
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      if (!served(path)) continue;
      for (const method of Object.keys(ops)) {
        const r = await t.call(method.toUpperCase(), `${concrete(path)}?colour=red`);
        expect(r.status, `${method} ${path}`).toBe(400);
        expect(r.body.error.details.map((d: any) => d.path)).toContain('colour');
      }
    }
  });

  it('messages say what the documented schema expects', async () => {
    const r = await t.call('GET', '/plans?limit=0&status=done&after=');
    expect(r.body.error.details).toEqual([
      { path: 'limit', message: 'expected an integer between 1 and 1000, got "0"' },
      { path: 'status', message: expect.stringMatching(/^expected one of "planned", "running", .*got "done"$/) },
      { path: 'after', message: 'expected a non-empty string, got ""' },
    ]);
    const body = await t.call('POST', '/plans/balance', { body: { threshold: 2, maxMoves: 'lots' } });
    expect(body.body.error.details).toEqual([
      { path: 'threshold', message: 'expected a number between 0 and 1, got 2' },
      { path: 'maxMoves', message: 'expected an integer >= 0, got "lots"' },
    ]);
  });

  it('a response field the schema does not name fails the response check', () => {
    const ok = { status: 'ok', role: 'leader' };
    expect(validateSchema(doc, { $ref: '#/components/schemas/Health' }, ok)).toEqual([]);
    expect(validateSchema(doc, { $ref: '#/components/schemas/Health' }, { ...ok, extra: 1 })).toEqual([
      '$: unexpected property "extra"',
    ]);
  });
});
