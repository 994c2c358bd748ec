/**
 * The served OpenAPI document, checked by two independent tools: @readme/openapi-parser
 * (structure and JSON Schema, against the OpenAPI 3.1 specification) and Redocly's linter with its
 * recommended rules. Either reporting an error fails the test.
 */
import { get, type IncomingMessage } from 'node:http';
import { compileErrors, validate } from '@readme/openapi-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { ADMIN, startHarness, type Harness } from './support/harness.js';

describe('the OpenAPI document under real validators', () => {
  let t: Harness;
  let doc: any;
  beforeAll(async () => {
    t = await startHarness({ inventory: demoRegion({ seed: 2, cells: 1, size: 6 }) });
    doc = (await t.call('GET', '/openapi.json')).body;
  });
  afterAll(() => t.close());

  it('is valid OpenAPI 3.1 (@readme/openapi-parser)', async () => {
    const result = await validate(structuredClone(doc));
    expect(result.valid ? '' : compileErrors(result)).toBe('');
  });

  it('passes Redocly lint with the recommended rules, without errors', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    const errors = problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`);
    expect(errors).toEqual([]);
  });

  it('the documented headers are sent: X-Request-Id, Location on 201, ETag and 304 on a plan', async () => {
    const host = doc && (await t.call('GET', '/hosts')).body.hosts[0].name;
    const created = await t.call('POST', '/plans/drain', { body: { host: [host] } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/plans/${created.body.id}`);
    expect(created.headers.get('x-request-id')).toBeTruthy();
    const first = await t.call('GET', created.headers.get('location')!);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    // node:http, not fetch: fetch adds Cache-Control: no-cache to a conditional request
    const again = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${t.url}/plans/${created.body.id}`, { headers: { authorization: `Bearer ${ADMIN}`, 'if-none-match': etag } })
        .on('response', (res) => resolve(res.resume()))
        .on('error', reject),
    );
    expect(again.statusCode).toBe(304);
    expect(again.headers['x-request-id']).toBeTruthy();
    const documented = doc.paths['/plans/{id}'].get.responses;
    expect(Object.keys(documented)).toContain('304');
    expect(documented['200'].headers).toHaveProperty('ETag');
    expect(doc.paths['/plans/drain'].post.requestBody.content['application/json'].schema.properties).toHaveProperty(
      'host',
    );
  });
});
