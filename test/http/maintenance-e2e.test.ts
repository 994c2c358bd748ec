/**
 * Maintenance campaigns over HTTP, end to end: the service as `rebalancer serve` wires it (demo
 * region on the simulated cluster, SQLite file, executor), a campaign over a whole cell with a
 * real patch command run to the end; plan-only campaigns, bad input and operator actions.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoService, startDemoService } from './support/demo-service.js';
import { type Harness, READER } from './support/harness.js';

// The service starts, collects and plans on a shared 2-core machine: generous time limits.
describe('maintenance campaigns over HTTP', { timeout: 60_000 }, () => {
  let demo: DemoService;
  let call: Harness['call'];
  let cell: string;
  beforeAll(async () => {
    demo = await startDemoService((folder) => {
      const script = join(folder, 'patch.sh');
      writeFileSync(
        script,
        `#!/bin/sh\necho "$REBALANCER_HOST $REBALANCER_CAMPAIGN" >> ${join(folder, 'patched.log')}\necho patched "$1"\n`,
        { mode: 0o755 },
      );
      return {
        REBALANCER_DEMO: JSON.stringify({ seed: 11, cells: 2, size: 8, timeScale: 500 }),
        REBALANCER_MAINTENANCE: JSON.stringify({ hostCommand: [script, 'now'], pollSeconds: 1 }),
      };
    });
    ({ call } = demo);
    const hosts = (await call('GET', '/hosts')).body.hosts as Array<{ name: string; cell: string }>;
    cell = hosts[0].cell;
  }, 60_000);
  afterAll(() => demo.close());

  it('plan-only: 201 with the steps and the forecast, nothing moves', async () => {
    const r = await call('POST', `/maintenance?cell=${cell}&maxUnavailable=2`);
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('planned');
    expect(r.body.steps.length).toBeGreaterThan(0);
    for (const s of r.body.steps) expect(s.hosts.length).toBeLessThanOrEqual(2);
    expect(Object.values(r.body.hosts).every((s) => s === 'pending')).toBe(true);
    expect(r.body.eta.seconds).toBeGreaterThan(0);
    const list = await call('GET', '/maintenance', { token: READER });
    expect(list.body.campaigns.map((c: { id: string }) => c.id)).toContain(r.body.id);
    const cancel = await call('POST', `/maintenance/${r.body.id}/cancel`);
    expect(cancel.body.status).toBe('cancelled');
    expect((await call('POST', `/maintenance/${r.body.id}/cancel`)).status).toBe(409);
  });

  it('rejects bad input with the parameter named, and unknown campaigns with 404', async () => {
    const both = await call('POST', `/maintenance?cell=${cell}&host=x`);
    expect(both.status).toBe(400);
    expect(both.body.error.details.map((d: { path: string }) => d.path)).toContain('host');
    expect((await call('POST', `/maintenance?cell=${cell}&maxUnavailable=0`)).status).toBe(400);
    expect((await call('POST', '/maintenance?cell=nowhere')).body.error.message).toMatch(/unknown cell "nowhere"/);
    expect((await call('GET', '/maintenance/nope')).status).toBe(404);
    expect((await call('POST', '/maintenance/nope/hosts/x/done')).status).toBe(404);
    expect((await call('POST', `/maintenance?cell=${cell}`, { token: READER })).status).toBe(403);
  });

  it('executes a campaign over a whole cell with the patch command: every host done, every VM running', async () => {
    const r = await call('POST', `/maintenance?cell=${cell}&execute=true`);
    expect(r.status).toBe(201);
    expect(r.body.feasible).toBe(true);
    const id = r.body.id as string;
    let c = r.body;
    for (let i = 0; i < 600 && !['succeeded', 'paused', 'failed'].includes(c.status); i++) {
      await sleep(100);
      c = (await call('GET', `/maintenance/${id}`)).body;
    }
    expect(String(c.reason)).toBe('null');
    expect(c.status).toBe('succeeded');
    expect(Object.values(c.hosts).every((s) => s === 'done')).toBe(true);
    for (const s of c.steps) for (const m of s.moves) expect(m.state).toBe('succeeded');
    const events = (await call('GET', `/maintenance/${id}/events`)).body.events as Array<{ type: string; data: any }>;
    const commands = events.filter((e) => e.type === 'campaign.host_command_ended');
    expect(commands).toHaveLength(c.steps.length);
    expect(commands[0].data.stdout).toBe('patched now\n');
    const hosts = (await call('GET', '/hosts')).body.hosts as Array<{ name: string; maintenance: unknown }>;
    expect(hosts.filter((h) => h.maintenance)).toEqual([]);
  });
});
