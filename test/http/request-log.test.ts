/** One log line per request, carrying the request id, written only when its level is enabled. */
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { createLogger } from '../../src/log.js';
import { ADMIN, startHarness, type Harness } from './support/harness.js';

const inventory = demoRegion({ seed: 6, cells: 1, size: 6 });

function capture(level: string) {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({
    write: (chunk, _e, cb) => {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  return { lines, log: createLogger({ level, destination: sink }) };
}

describe('request log at info', () => {
  let t: Harness;
  const { lines, log } = capture('info');
  beforeAll(async () => (t = await startHarness({ inventory, log })));
  afterAll(() => t.close());

  it('logs each request once with id, method, url, status and time; a 404 at warn; never the token', async () => {
    await t.call('GET', '/plans', { headers: { 'x-request-id': 'req-list-1' } });
    await t.call('GET', '/plans/00000000-0000-4000-8000-000000000000', {
      headers: { 'x-request-id': 'req-missing-1' },
    });
    await sleep(20);
    const done = lines.filter((l) => l.msg === 'request completed');
    const list = done.filter((l) => l.reqId === 'req-list-1');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      level: 30,
      req: { id: 'req-list-1', method: 'GET', url: '/plans', headers: { authorization: '[redacted]' } },
      res: { statusCode: 200 },
    });
    expect(list[0].responseTime).toBeGreaterThanOrEqual(0);
    expect(done.find((l) => l.reqId === 'req-missing-1')).toMatchObject({ level: 40, res: { statusCode: 404 } });
    expect(JSON.stringify(lines)).not.toContain(ADMIN);
  });
});

describe('request log at error', () => {
  let t: Harness;
  const { lines, log } = capture('error');
  beforeAll(async () => (t = await startHarness({ inventory, log })));
  afterAll(() => t.close());

  it('writes nothing for successful requests', async () => {
    expect((await t.call('GET', '/plans')).status).toBe(200);
    await sleep(20);
    expect(lines).toEqual([]);
  });
});
