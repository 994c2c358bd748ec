/** Moves the plan marks `converges: false` start with auto-converge, or post-copy where permitted. */
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, hosts, mv, vms, type Harness } from './harness.js';

describe('executor: moves predicted not to converge', () => {
  let h: Harness;
  afterEach(() => h.cleanup());
  // a guest dirtying 30 Gbit/s on a 10 Gbit/s link: plain pre-copy never converges
  const busy = () => ({ hosts: hosts(['A', 'B']), domains: vms(1, 'A', { dirtyRateMbps: 30_000 }) });
  const started = async (id: string) =>
    (await h.store.listEvents({ planId: id })).find((e) => e.type === 'migration.started')!.data;

  it('starts a converges:false move with auto-converge, which completes without a stall', async () => {
    h = createHarness({ ...busy(), options: { progressTimeoutSeconds: 60 } });
    const id = await h.addPlan([mv('vm0', 'A', 'B', { converges: false })]);
    expect((await h.executor.execute(id)).status).toBe('succeeded');
    expect(await started(id)).toMatchObject({ autoConverge: true, postCopyAtStart: false });
    expect((await h.store.listEvents({ planId: id })).some((e) => e.type === 'migration.timeout')).toBe(false);
    expect(h.sim.whereIs('vm0')).toMatchObject({ host: 'B', state: 'running' });
  });

  it('switches such a move to post-copy at once where permitPostCopy allows', async () => {
    h = createHarness({ ...busy(), options: { permitPostCopy: true, progressTimeoutSeconds: 60 } });
    const id = await h.addPlan([mv('vm0', 'A', 'B', { converges: false })]);
    expect((await h.executor.execute(id)).status).toBe('succeeded');
    expect(await started(id)).toMatchObject({ autoConverge: false, postCopyAtStart: true });
    const types = (await h.store.listEvents({ planId: id })).map((e) => e.type);
    expect(types).toContain('migration.postcopy');
    expect(types).not.toContain('migration.timeout');
  });

  it('runs a move without the mark as plain pre-copy: the same guest stalls and is aborted on its source', async () => {
    h = createHarness({ ...busy(), options: { progressTimeoutSeconds: 20 } });
    const id = await h.addPlan([mv('vm0', 'A', 'B')]);
    expect((await h.executor.execute(id)).status).toBe('failed');
    expect(await started(id)).toMatchObject({ autoConverge: false, postCopyAtStart: false });
    expect(await h.store.getMove(id, 0)).toMatchObject({ state: 'timed_out' });
    expect(h.sim.whereIs('vm0')).toMatchObject({ host: 'A', state: 'running' });
  });
});
