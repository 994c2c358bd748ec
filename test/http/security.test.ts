import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { createLogger } from '../../src/log.js';
import { ADMIN, READER, startHarness, type Harness } from './support/harness.js';

const inventory = demoRegion({ seed: 4, cells: 1, size: 8 });
const host = inventory.hosts[0].name;

describe('authentication and roles', () => {
  let t: Harness;
  beforeAll(async () => (t = await startHarness({ inventory })));
  afterAll(() => t.close());

  it.each([
    ['no Authorization header', null, /expected an "Authorization: Bearer <token>" header/],
    ['a wrong token', 'x'.repeat(28), /not valid/],
    ['a token differing in the last character', `${ADMIN.slice(0, -1)}X`, /not valid/],
  ])('answers 401 with %s', async (_n, token, message) => {
    const r = await t.call('GET', '/plans', { token });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHORIZED');
    expect(r.body.error.message).toMatch(message);
    expect(r.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('rejects a Basic credential as not a bearer token', async () => {
    const r = await t.call('GET', '/hosts', {
      token: null,
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    });
    expect(r.status).toBe(401);
  });

  it('lets /healthz through without a token', async () => {
    const r = await t.call('GET', '/healthz', { token: null });
    expect(r).toMatchObject({ status: 200, body: { status: 'ok', role: 'leader' } });
  });

  it.each(['/plans', '/hosts', `/hosts/${host}`, '/metrics', '/openapi.json', '/reports/capacity?format=csv'])(
    'a read token may GET %s',
    async (path) => {
      expect((await t.call('GET', path, { token: READER })).status).toBe(200);
    },
  );

  it.each([
    `/plans/drain?host=${host}`,
    '/plans/balance',
    `/hosts/${host}/maintenance?enabled=true`,
    '/plans/some-id/cancel',
  ])('a read token may not POST %s (403) and nothing changes', async (path) => {
    const r = await t.call('POST', path, { token: READER });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect(await t.store.listPlans()).toEqual([]);
    expect(await t.store.listMaintenance()).toEqual([]);
  });

  it('requires a token before revealing whether a route exists', async () => {
    expect((await t.call('GET', '/admin', { token: null })).status).toBe(401);
  });
});

describe('bad requests and errors', () => {
  let t: Harness;
  const lines: string[] = [];
  const sink = new Writable({
    write: (chunk, _e, cb) => {
      lines.push(String(chunk));
      cb();
    },
  });
  let failing = false;
  beforeAll(async () => {
    t = await startHarness({
      inventorySource: async () => {
        if (failing) throw new Error('hypervisor exploded at /secret/path.ts:12');
        return structuredClone(inventory);
      },
      log: createLogger({ level: 'info', destination: sink }),
    });
  });
  afterAll(() => t.close());

  it('answers unknown routes with 404 JSON', async () => {
    const r = await t.call('GET', '/nowhere');
    expect(r.status).toBe(404);
    expect(r.body.error).toEqual({ code: 'NOT_FOUND', message: 'no route GET /nowhere', details: [] });
    expect((await t.call('DELETE', '/plans')).status).toBe(405); // a known path: see conventions.test.ts
  });

  it('answers oversized bodies with 413', async () => {
    const raw = JSON.stringify({ host: 'x'.repeat(t.config.api.bodyLimitBytes + 10) });
    const r = await t.call('POST', '/plans/drain', { raw, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers malformed JSON and non-object bodies with 400', async () => {
    const bad = await t.call('POST', '/plans/drain', {
      raw: '{"host": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_BODY');
    const list = await t.call('POST', `/plans/drain?host=${host}`, { body: [host] });
    expect(list.status).toBe(400);
    expect(list.body.error.details[0].path).toBe('body');
  });

  it('hides internal errors: 500 INTERNAL without stack or message, logged with the request id', async () => {
    failing = true;
    const r = await t.call('GET', '/hosts', { headers: { 'x-request-id': 'req-failing-1' } });
    failing = false;
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(r.body)).not.toMatch(/exploded|secret|\.ts:|at /);
    expect(r.headers.get('x-request-id')).toBe('req-failing-1');
    expect(lines.some((l) => l.includes('req-failing-1') && l.includes('exploded'))).toBe(true);
  });

  it('generates a request id when none (or a malformed one) is given', async () => {
    const r = await t.call('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never logs the bearer token', async () => {
    await t.call('GET', '/plans');
    await t.call('GET', '/plans', { token: 'wrong-token-value-123456' });
    const all = lines.join('');
    expect(all).toContain('"url":"/plans"');
    expect(all).not.toContain(ADMIN);
    expect(all).not.toContain('wrong-token-value-123456');
  });
});
