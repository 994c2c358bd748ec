/**
 * Drives one running campaign, step after step, persisting every host's state before the action
 * it announces: plan the step's drain from a fresh inventory (keeping the campaign's order and its
 * preference for hosts that will not be drained later), run it, check the hosts are empty, hand
 * them over for patching (the configured command, or the operator's `done`), wait until they are
 * back (reachable, up, enabled) within the return timeout, release them, go on. Anything that
 * goes wrong pauses the campaign with the reason; nothing else is drained meanwhile. Re-entrant:
 * after a restart it picks up each host in the state the store has.
 */
import type { Inventory } from '../../planner/index.js';
import type { CampaignDeps } from './ports.js';
import { stepCannotBeEmptied, staysSummary } from './step-failure.js';
import type { CampaignHostRecord, CampaignRecord, FailedDuring } from './types.js';

type Ctx = CampaignDeps & { signal: AbortSignal };

async function event(ctx: Ctx, id: string, type: string, data: unknown): Promise<void> {
  await ctx.store.appendEvent({ planId: id, moveIndex: null, type: `campaign.${type}`, data, at: ctx.clock.now() });
}

/**
 * Pauses the running campaign with `reason`; the hosts keep their states (failed ones say why).
 * False when it was not running (an operator paused or cancelled it meanwhile): nothing changed.
 */
export async function pause(ctx: CampaignDeps, id: string, reason: string): Promise<boolean> {
  const was = await ctx.store.changeCampaignStatus(id, ['running'], 'paused', ctx.clock.now(), reason);
  if (was !== 'running') return false;
  await ctx.store.appendEvent({
    planId: id,
    moveIndex: null,
    type: 'campaign.paused',
    data: { reason },
    at: ctx.clock.now(),
  });
  ctx.log?.warn({ campaignId: id, reason }, 'campaign paused');
  return true;
}

async function setHosts(
  ctx: Ctx,
  id: string,
  hosts: CampaignHostRecord[],
  patch: Parameters<Ctx['store']['updateCampaignHost']>[2],
) {
  for (const h of hosts) await ctx.store.updateCampaignHost(id, h.host, patch, ctx.clock.now());
}

const running = async (ctx: Ctx, id: string) =>
  !ctx.signal.aborted && (await ctx.store.getCampaign(id))?.status === 'running';

async function drainStep(ctx: Ctx, c: CampaignRecord, step: CampaignHostRecord[], all: CampaignHostRecord[]) {
  const names = step.map((h) => h.host);
  const later = all.filter((h) => h.step > step[0].step && h.state === 'pending').map((h) => h.host);
  const planned = await ctx.steps.planStep(await ctx.collect(), c.request, { hosts: names, later });
  const plan = planned.plan;
  if (!plan.feasible) {
    for (const h of step)
      await hostFailed(ctx, c.id, h.host, 'draining', `cannot be emptied: ${staysSummary(plan.unplaced)}`);
    return pause(ctx, c.id, stepCannotBeEmptied(step[0].step, names, plan.unplaced));
  }
  const saved = await ctx.steps.save(planned);
  if (!saved.ok) return pause(ctx, c.id, `step ${step[0].step + 1}: ${saved.reason}`);
  await setHosts(ctx, c.id, step, { state: 'draining', planId: saved.planId, reason: null });
  await event(ctx, c.id, 'step_started', {
    step: step[0].step,
    hosts: names,
    planId: saved.planId,
    moves: plan.moves.length,
  });
  await ctx.steps.start(saved.planId);
}

/** Waits for the step's drain to end, then checks its hosts are empty on a fresh inventory. */
async function finishDrain(ctx: Ctx, c: CampaignRecord, step: CampaignHostRecord[]) {
  const planId = step[0].planId!;
  let status = await ctx.steps.status(planId);
  while (status === 'running' && !ctx.signal.aborted) {
    await ctx.clock.sleep(ctx.settings.pollMs, ctx.signal).catch(() => {});
    status = await ctx.steps.status(planId);
  }
  if (ctx.signal.aborted) return;
  const inventory = await ctx.collect();
  const left = step.flatMap((h) =>
    inventory.instances.filter((i) => i.host === h.host).map((i) => `${i.name} on ${i.host}`),
  );
  if (status !== 'succeeded' || left.length) {
    const why = status !== 'succeeded' ? `its drain ${planId} ${status}` : `still running there: ${left.join(', ')}`;
    for (const h of step) await hostFailed(ctx, c.id, h.host, 'draining', why);
    return pause(ctx, c.id, `step ${step[0].step + 1} (${step.map((h) => h.host).join(', ')}): ${why}`);
  }
  await setHosts(ctx, c.id, step, { state: 'awaiting_patch' });
  await event(ctx, c.id, 'awaiting_patch', { step: step[0].step, hosts: step.map((h) => h.host) });
}

/**
 * Records that `host` failed while `during` (the state it was in): its state is `failed` with the
 * reason, and the `campaign.host_failed` event says where a resume takes it up again.
 */
async function hostFailed(
  ctx: CampaignDeps,
  id: string,
  host: string,
  during: FailedDuring,
  reason: string,
  more = {},
): Promise<void> {
  await ctx.store.updateCampaignHost(id, host, { state: 'failed', reason }, ctx.clock.now());
  await ctx.store.appendEvent({
    planId: id,
    moveIndex: null,
    type: 'campaign.host_failed',
    data: { host, during, reason, ...more },
    at: ctx.clock.now(),
  });
}

/**
 * Runs the patch command of every host of the step awaiting it, all at once (the step's hosts are
 * out together); without a command, waits for the operator. A command that fails leaves its host
 * `failed` with the exit status and the end of its output; the campaign then pauses.
 */
async function patch(ctx: Ctx, c: CampaignRecord, hosts: CampaignHostRecord[]) {
  if (!ctx.hostCommand) {
    await ctx.clock.sleep(ctx.settings.pollMs, ctx.signal).catch(() => {});
    return;
  }
  const run = ctx.hostCommand;
  const failed: string[] = [];
  await Promise.all(
    hosts.map(async (h) => {
      await event(ctx, c.id, 'host_command_started', { host: h.host });
      const r = await run(h.host, c.id);
      const output = { code: r.code, signal: r.signal, timedOut: r.timedOut, stdout: r.stdout, stderr: r.stderr };
      await event(ctx, c.id, 'host_command_ended', { host: h.host, ok: r.ok, ...output });
      if (r.ok) {
        await ctx.store.updateCampaignHost(c.id, h.host, { state: 'returning', reason: null }, ctx.clock.now());
        return;
      }
      const why = `patch command for ${h.host}: ${r.reason ?? 'failed'}`;
      await hostFailed(ctx, c.id, h.host, 'awaiting_patch', why, output);
      failed.push(why);
    }),
  );
  if (failed.length) await pause(ctx, c.id, failed.sort().join('; '));
}

function backProblem(inventory: Inventory, host: string): string | null {
  const h = inventory.hosts.find((x) => x.name === host);
  if (!h) return 'not in the inventory';
  if (h.state !== 'up') return 'down or unreachable through libvirt';
  if (!h.enabled) return 'disabled';
  return null;
}

/** Releases the hosts that are back; pauses when one is not back within the return timeout. */
async function awaitReturn(ctx: Ctx, c: CampaignRecord, hosts: CampaignHostRecord[]) {
  const inventory = await ctx.collect();
  for (const h of hosts) {
    const problem = backProblem(inventory, h.host);
    if (problem === null) {
      await ctx.store.updateCampaignHost(c.id, h.host, { state: 'done', reason: null }, ctx.clock.now());
      await ctx.store.releaseMaintenance(h.host, ctx.clock.now());
      await event(ctx, c.id, 'host_done', { host: h.host });
      continue;
    }
    const deadline = h.since + ctx.settings.returnTimeoutMinutes * 60_000;
    if (ctx.clock.now() >= deadline) {
      const why = `${h.host} did not come back within ${ctx.settings.returnTimeoutMinutes} min: ${problem}`;
      await hostFailed(ctx, c.id, h.host, 'returning', why);
      return pause(ctx, c.id, why);
    }
  }
  const now = await ctx.store.listCampaignHosts(c.id);
  if (hosts.some((h) => now.find((x) => x.host === h.host)?.state === 'returning'))
    await ctx.clock.sleep(ctx.settings.pollMs, ctx.signal).catch(() => {});
}

/** One action for the campaign's current step; false when the campaign is over. */
async function advance(ctx: Ctx, c: CampaignRecord): Promise<boolean> {
  const all = await ctx.store.listCampaignHosts(c.id);
  const open = all.filter((h) => h.state !== 'done');
  if (!open.length) {
    // only a running campaign ends: an operator's pause or cancel meanwhile stands
    if ((await ctx.store.changeCampaignStatus(c.id, ['running'], 'succeeded', ctx.clock.now(), null)) === 'running')
      await event(ctx, c.id, 'succeeded', { hosts: all.length });
    return false;
  }
  const current = Math.min(...open.map((h) => h.step));
  const step = all.filter((h) => h.step === current);
  const by = (state: CampaignHostRecord['state']) => step.filter((h) => h.state === state);
  if (by('failed').length) await pause(ctx, c.id, `step ${current + 1}: ${by('failed')[0].reason ?? 'failed'}`);
  else if (by('pending').length) await drainStep(ctx, c, by('pending'), all);
  else if (by('draining').length) await finishDrain(ctx, c, by('draining'));
  else if (by('awaiting_patch').length) await patch(ctx, c, by('awaiting_patch'));
  else if (by('returning').length) await awaitReturn(ctx, c, by('returning'));
  return true;
}

/** Drives campaign `id` while it is running; returns when it ends, pauses, or `signal` aborts. */
export async function drive(deps: CampaignDeps, id: string, signal: AbortSignal): Promise<void> {
  const ctx: Ctx = { ...deps, signal };
  while (await running(ctx, id)) {
    const c = (await ctx.store.getCampaign(id))!;
    try {
      if (!(await advance(ctx, c))) return;
    } catch (err) {
      deps.log?.error({ campaignId: id, err }, 'campaign step failed');
      await pause(ctx, id, `internal error: ${(err as Error)?.message ?? String(err)}`);
    }
  }
}
