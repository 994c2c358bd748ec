/**
 * Campaign execution over the simulated cluster with the real executor and a real SQLite store:
 * a whole cell patched host by host, a failing patch command, the operator's `done`, a host that
 * does not come back, and a service stopped mid-campaign then resumed from the store.
 */
import { describe, expect, it } from 'vitest';
import { plan } from '../../planner/index.js';
import { runHostCommand, type HostCommandResult } from '../../src/maintenance/host-command.js';
import { createCampaignService } from '../../src/maintenance/service.js';
import { lifecycleSteps } from '../../src/maintenance/steps.js';
import { openStore } from '../../src/store/sqlite.js';
import { simCluster, simInventory, simLifecycle, simVm, tempStorePath } from '../support/sim-world.js';

const HOSTS = ['A', 'B', 'C', 'D'];
const vm = (k: number) => simVm(k, HOSTS[k % 4], 2048 * (1 + (k % 3)));

type Command = (host: string, campaign: string) => Promise<HostCommandResult>;
const okResult: HostCommandResult = {
  ok: true,
  code: 0,
  signal: null,
  timedOut: false,
  stdout: 'patched\n',
  stderr: '',
  reason: null,
};

/** The campaign tests' world: the collector measures dirty rates (1 s), as the service's does. */
function world(
  path = tempStorePath('rb-campaign-'),
  inventory = simInventory(HOSTS, [0, 1, 2, 3, 4, 5, 6, 7].map(vm)),
) {
  return { ...simCluster(inventory, { dirtyRateMs: 1000 }), path };
}

function service(w: ReturnType<typeof world>, hostCommand?: Command) {
  const store = openStore(w.path);
  const orch = simLifecycle(w, store);
  const svc = createCampaignService({
    store,
    clock: w.clock,
    collect: w.collect,
    steps: lifecycleSteps(orch),
    hostCommand,
    settings: { returnTimeoutMinutes: 10, pollMs: 1000 },
  });
  return { store, svc, orch };
}

/** A reboot: the host is unreachable for a minute, then back; checks it was handed over empty. */
function reboot(w: ReturnType<typeof world>, seen: string[][]): Command {
  return async (name) => {
    const onHost = (await w.cluster.listDomains(name)).map((d) => d.name);
    seen.push([name, ...onHost]);
    w.cluster.faults.hostDown(name);
    await w.clock.sleep(60_000);
    w.cluster.faults.hostUp(name);
    return okResult;
  };
}

describe('campaign execution on the simulated cluster', () => {
  it('patches a whole cell one host at a time: each host empty when handed over, every VM running at the end', async () => {
    const w = world();
    const seen: string[][] = [];
    const { svc, store } = service(w, reboot(w, seen));
    const created = await svc.create({ cells: ['c1'], source: 'api' }, true);
    if (!created.ok) throw new Error(JSON.stringify(created.issues));
    await svc.idle();
    const c = (await store.getCampaign(created.record.id))!;
    expect(c.status).toBe('succeeded');
    expect((await store.listCampaignHosts(c.id)).map((h) => h.state)).toEqual(['done', 'done', 'done', 'done']);
    const handed = seen.filter((s) => s.length > 0);
    expect(handed.map((s) => s[0]).sort()).toEqual(HOSTS);
    for (const s of handed) expect(s.slice(1), `${s[0]} was not empty`).toEqual([]);
    for (let k = 0; k < 8; k++) expect((await w.cluster.whereIs(vm(k).id))?.state).toBe('running');
    expect(await store.listMaintenance()).toEqual([]);
    const types = (await store.listEvents({ planId: c.id })).map((e) => e.type);
    expect(types.filter((t) => t === 'campaign.host_done')).toHaveLength(4);
    expect(types.at(-1)).toBe('campaign.succeeded');
  });
});

describe('campaign execution: failures pause, the operator steers', () => {
  it('plan-only without execute: planned, nothing moves', async () => {
    const w = world();
    const { svc, store } = service(w, reboot(w, []));
    const created = await svc.create({ cells: ['c1'], maxUnavailable: 2, source: 'api' }, false);
    if (!created.ok) throw new Error('refused');
    expect(created.record.status).toBe('planned');
    expect(created.record.forecast.steps).toHaveLength(2);
    expect(await store.listPlans()).toEqual([]);
  });

  it('a failing patch command leaves its host failed with the exit status and output; the campaign pauses; nothing else is drained', async () => {
    const w = world();
    const failing: Command = (host, campaign) =>
      runHostCommand(
        {
          argv: ['sh', '-c', 'echo "updating $REBALANCER_HOST"; echo "disk full on $REBALANCER_HOST" >&2; exit 3'],
          timeoutSeconds: 30,
        },
        { host, campaign },
      );
    const { svc, store } = service(w, failing);
    const created = await svc.create({ cells: ['c1'], source: 'api' }, true);
    if (!created.ok) throw new Error('refused');
    await svc.idle();
    const c = (await store.getCampaign(created.record.id))!;
    const first = c.forecast.steps[0].hosts[0];
    expect(c.status).toBe('paused');
    expect(c.reason).toBe(`patch command for ${first}: sh exited with status 3: disk full on ${first}`);
    const hosts = await store.listCampaignHosts(c.id);
    expect(hosts.find((h) => h.host === first)).toMatchObject({ state: 'failed', reason: c.reason });
    expect(hosts.filter((h) => h.state === 'pending')).toHaveLength(3);
    expect(await store.listPlans()).toHaveLength(1);
    const events = await store.listEvents({ planId: c.id });
    expect(events.find((e) => e.type === 'campaign.host_command_ended')?.data).toMatchObject({
      host: first,
      ok: false,
      code: 3,
      stdout: `updating ${first}\n`,
      stderr: `disk full on ${first}\n`,
    });
    expect(events.find((e) => e.type === 'campaign.host_failed')?.data).toMatchObject({
      host: first,
      during: 'awaiting_patch',
      code: 3,
    });
  });

  it('resume runs the failed host’s command again, without draining it again', async () => {
    const w = world();
    const calls: string[] = [];
    const onceFailing: Command = async (host) => {
      calls.push(host);
      return calls.length === 1
        ? { ...okResult, ok: false, code: 1, stderr: 'flaky\n', reason: 'x exited with status 1: flaky' }
        : okResult;
    };
    const { svc, store } = service(w, onceFailing);
    const created = await svc.create({ cells: ['c1'], source: 'api' }, true);
    if (!created.ok) throw new Error('refused');
    const id = created.record.id;
    await svc.idle();
    const first = created.record.forecast.steps[0].hosts[0];
    expect((await store.getCampaign(id))?.status).toBe('paused');
    const drainsBefore = (await store.listPlans()).length;
    expect(await svc.resume(id)).toMatchObject({ ok: true, record: { status: 'running' } });
    expect((await store.listCampaignHosts(id)).find((h) => h.host === first)?.state).toBe('awaiting_patch');
    await svc.idle();
    expect((await store.getCampaign(id))?.status).toBe('succeeded');
    expect(calls.filter((h) => h === first)).toHaveLength(2);
    expect(calls).toHaveLength(HOSTS.length + 1);
    // one drain per step: the failed host's step was not drained again
    expect((await store.listPlans()).length - drainsBefore).toBe(HOSTS.length - 1);
    for (let k = 0; k < 8; k++) expect(w.cluster.whereIs(vm(k).id)?.state).toBe('running');
  });

  it('after a failed command the operator may say the host is patched: the campaign goes on without running it again', async () => {
    const w = world();
    const calls: string[] = [];
    const failFirst: Command = async (host) => {
      calls.push(host);
      return calls.length === 1 ? { ...okResult, ok: false, code: 2, reason: 'x exited with status 2' } : okResult;
    };
    const { svc, store } = service(w, failFirst);
    const created = await svc.create({ cells: ['c1'], source: 'api' }, true);
    if (!created.ok) throw new Error('refused');
    const id = created.record.id;
    await svc.idle();
    const first = created.record.forecast.steps[0].hosts[0];
    const second = created.record.forecast.steps[1].hosts[0];
    expect(await svc.hostDone(id, second)).toMatchObject({ ok: false, reason: 'conflict' });
    expect(await svc.hostDone(id, first)).toMatchObject({ ok: true, record: { status: 'running' } });
    await svc.idle();
    expect((await store.getCampaign(id))?.status).toBe('succeeded');
    expect(calls.filter((h) => h === first)).toHaveLength(1);
    expect((await store.listEvents({ planId: id })).some((e) => e.type === 'campaign.host_patched')).toBe(true);
  });

  it('without a command the operator says when a host is patched; pause, resume and cancel', async () => {
    const w = world();
    const { svc, store } = service(w);
    const created = await svc.create({ hosts: ['A', 'B'], source: 'cli' }, true);
    if (!created.ok) throw new Error('refused');
    const id = created.record.id;
    const first = created.record.forecast.steps[0].hosts[0];
    const second = created.record.forecast.steps[1].hosts[0];
    const state = async (h: string) => (await store.listCampaignHosts(id)).find((x) => x.host === h)?.state;
    while ((await state(first)) !== 'awaiting_patch') await w.clock.sleep(1000);
    expect(await svc.hostDone(id, second)).toMatchObject({ ok: false, reason: 'conflict' });
    expect(await svc.hostDone(id, 'nope')).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await svc.hostDone(id, first)).toMatchObject({ ok: true });
    while ((await state(second)) !== 'awaiting_patch') await w.clock.sleep(1000);
    expect(await svc.pause(id)).toMatchObject({ ok: true, record: { status: 'paused' } });
    await svc.idle();
    expect(await svc.resume(id)).toMatchObject({ ok: true, record: { status: 'running' } });
    await svc.hostDone(id, second);
    await svc.idle();
    expect((await store.getCampaign(id))?.status).toBe('succeeded');
    expect(await svc.cancel(id)).toMatchObject({ ok: false, reason: 'conflict' });
  });

  it('a host that does not come back within the return timeout pauses the campaign', async () => {
    const w = world();
    const gone: Command = async (name) => {
      w.cluster.faults.hostDown(name);
      return okResult;
    };
    const { svc, store } = service(w, gone);
    const created = await svc.create({ cells: ['c1'], source: 'api' }, true);
    if (!created.ok) throw new Error('refused');
    await svc.idle();
    const c = (await store.getCampaign(created.record.id))!;
    expect(c.status).toBe('paused');
    expect(c.reason).toMatch(/^[A-D] did not come back within 10 min: down or unreachable through libvirt/);
    const hosts = await store.listCampaignHosts(c.id);
    expect(hosts.filter((h) => h.state === 'pending')).toHaveLength(3);
    const first = hosts.find((h) => h.state === 'failed')!;
    expect(first.reason).toBe(c.reason);
    // back now: resume checks again (a new return timeout) and releases it; nothing is drained twice
    w.cluster.faults.hostUp(first.host);
    const drains = (await store.listPlans()).length;
    expect(await svc.resume(c.id)).toMatchObject({ ok: true });
    expect((await store.listCampaignHosts(c.id)).find((h) => h.host === first.host)?.state).toBe('returning');
    await w.clock.sleep(5000);
    expect((await store.listCampaignHosts(c.id)).find((h) => h.host === first.host)?.state).toBe('done');
    expect((await store.listPlans()).length).toBeGreaterThanOrEqual(drains);
    expect(
      (await store.listPlans()).filter((p) => p.request?.goal === 'drain' && p.request.hosts.includes(first.host)),
    ).toHaveLength(1);
    await svc.cancel(c.id);
    await svc.idle();
  });

  it('a service stopped mid-campaign resumes from the store; no move runs twice', async () => {
    const w = world();
    const first = service(w, reboot(w, []));
    const created = await first.svc.create({ cells: ['c1'], source: 'api' }, true);
    if (!created.ok) throw new Error('refused');
    const id = created.record.id;
    while ((await first.store.listCampaignHosts(id)).filter((h) => h.state === 'done').length < 2)
      await w.clock.sleep(1000);
    await first.svc.stop();
    await first.orch.idle();
    await first.store.close();
    const second = service(w, reboot(w, []));
    expect(await second.svc.recover()).toEqual([id]);
    await second.svc.idle();
    expect((await second.store.getCampaign(id))?.status).toBe('succeeded');
    // Every migration of every step's drain ran once: one succeeded move per instance and plan.
    for (const p of await second.store.listPlans()) {
      const moves = await second.store.listMoves(p.id);
      expect(new Set(moves.map((m) => m.move.instance)).size).toBe(moves.length);
      for (const m of moves)
        expect(
          (await second.store.moveHistory(p.id, m.index)).filter((s) => s.state === 'migrating').length,
        ).toBeLessThanOrEqual(1);
    }
    for (let k = 0; k < 8; k++) expect(w.cluster.whereIs(vm(k).id)?.state).toBe('running');
  });
});

describe('campaign execution: a step re-planned after a failed move', () => {
  it('still prefers hosts that will not be drained later: nothing moves twice', async () => {
    // A and B are patched, C and D are not. B is the least loaded receiver, so a plain drain of A
    // would put A's instances on B, to move again in B's step; the campaign sends them to C or D.
    const gib = (k: number, at: string, memoryGib: number) => simVm(k, at, memoryGib * 1024);
    const instances = [gib(0, 'A', 4), gib(1, 'A', 4), gib(2, 'B', 12), gib(3, 'C', 40), gib(4, 'D', 40)];
    const w = world(':memory:', simInventory(['A', 'B', 'C', 'D'], instances));
    const { svc, store } = service(w, async () => okResult);

    const created = await svc.create({ hosts: ['A', 'B'], source: 'api' }, false);
    if (!created.ok) throw new Error(JSON.stringify(created.issues));
    const steps = created.record.forecast.steps;
    expect(steps.map((s) => s.hosts)).toEqual([['A'], ['B']]);
    const first = steps[0].moves.find((m) => m.instance === vm(0).id)!;
    expect(['C', 'D']).toContain(first.to);
    // the plain drain of A, for comparison, prefers B
    const plain = plan(w.inventory, { goal: 'drain', hosts: ['A'] });
    expect(plain.moves.map((m) => m.to)).toContain('B');

    // vm0's first migration fails for good: the executor re-plans A's step from a fresh inventory
    w.cluster.faults.failMigration(vm(0).id);
    expect(await svc.resume(created.record.id)).toMatchObject({ ok: true });
    await svc.idle();
    expect((await store.getCampaign(created.record.id))?.status).toBe('succeeded');

    const drains = (await store.listPlans()).filter((p) => p.request?.goal === 'drain');
    const chainOfA = drains.filter((p) => p.request?.goal === 'drain' && p.request.hosts[0] === 'A');
    expect(chainOfA.length).toBeGreaterThanOrEqual(2); // the step's plan and its re-plan
    for (const p of chainOfA) expect(p.request).toMatchObject({ goal: 'drain', hosts: ['A'], later: ['B'] });
    const replanned = chainOfA.find((p) => p.supersedes !== null)!;
    const again = replanned.plan.moves.find((m) => m.instance === vm(0).id)!;
    expect(again.to).not.toBe('B');
    expect(again.to).not.toBe(first.to); // the failed destination is excluded
    // every instance of A reached its place in one completed migration; none landed on B
    const completed = (id: string) =>
      w.cluster.migrations.filter((m) => m.domainId === id && m.outcome === 'completed').map((m) => m.to);
    expect(completed(vm(0).id)).toEqual([again.to]);
    expect(completed(vm(1).id)).toHaveLength(1);
    expect(['C', 'D']).toContain(completed(vm(1).id)[0]);
    expect(w.cluster.migrations.filter((m) => m.domainId === vm(0).id && m.outcome === 'failed')).toHaveLength(1);
    for (let k = 0; k < 5; k++) expect(w.cluster.whereIs(vm(k).id)?.state).toBe('running');
  });
});
