/**
 * The pre-check before a move, against fresh hypervisor state. "Skip" means the world changed
 * (the VM left its source or changed power state): nothing to do, re-plan. "Fail" means the move
 * cannot happen now (destination unreachable, disabled or full): re-plan elsewhere.
 * A passing pre-check reserves the VM's memory on the destination (`ctx.incoming`); the caller
 * releases it with {@link releaseReservation} when the attempt ends.
 */
import type { Move } from '../planner/index.js';
import type { Ctx } from './context.js';
import type { RecordedLocation } from './store.js';

export type PrecheckResult =
  | { ok: true; memoryMb: number }
  | { ok: false; state: 'skipped' | 'failed'; code: string; message: string; location?: RecordedLocation };

const LIVE_STATES = ['running', 'paused'];

export async function precheck(ctx: Ctx, move: Move, signal: AbortSignal): Promise<PrecheckResult> {
  const { hv } = ctx;
  const source = await hv.hostFacts(move.from, signal);
  if (!source.reachable) return fail('SOURCE_UNREACHABLE', `source ${move.from} is unreachable`);
  const where = await hv.locate(move.instance, [move.from, move.to], signal);
  if (!where.definedOn.includes(move.from)) {
    return {
      ok: false,
      state: 'skipped',
      code: 'VM_NOT_ON_SOURCE',
      message: `${move.name} is no longer on ${move.from}`,
      location: where,
    };
  }
  const dom = (await hv.listDomains(move.from, signal)).find((d) => d.id === move.instance);
  const wanted = move.mode === 'cold' ? ['shutoff'] : LIVE_STATES;
  if (!dom || !wanted.includes(dom.state)) {
    const state = dom?.state ?? 'missing';
    return {
      ok: false,
      state: 'skipped',
      code: 'VM_STATE_CHANGED',
      message: `${move.name} is ${state}, a ${move.mode} migration needs ${wanted.join(' or ')}`,
      location: where,
    };
  }
  const room = await destinationRoom(ctx, move, signal);
  if (room !== null) return room;
  return { ok: true, memoryMb: dom.memoryMb };

  async function destinationRoom(c: Ctx, m: Move, s: AbortSignal): Promise<PrecheckResult | null> {
    const cfg = c.hosts.get(m.to);
    if (cfg?.enabled === false) return fail('DEST_DISABLED', `destination ${m.to} is disabled`);
    const facts = await c.hv.hostFacts(m.to, s);
    if (!facts.reachable) return fail('DEST_UNREACHABLE', `destination ${m.to} is unreachable`);
    const there = await c.hv.listDomains(m.to, s);
    const ids = new Set(there.map((d) => d.id));
    // migrations of ours still arriving count in full: their memory is not (all) there yet
    let arriving = 0;
    for (const [id, mb] of c.incoming.get(m.to) ?? []) if (!ids.has(id)) arriving += mb;
    const used = there.reduce((sum, d) => sum + d.memoryMb, 0) + arriving;
    const capacity = (facts.memoryMb - (cfg?.reservedMemoryMb ?? 0)) * (cfg?.ramAllocationRatio ?? 1);
    const need = dom!.memoryMb;
    if (used + need > capacity) {
      return fail(
        'DEST_NO_ROOM',
        `destination ${m.to} has ${Math.max(0, capacity - used)} MiB of memory left, ${m.name} needs ${need} MiB ` +
          `(${arriving} MiB still arriving)`,
      );
    }
    // reserve in the same synchronous step as the check, so a concurrent pre-check sees it
    c.incoming.set(m.to, (c.incoming.get(m.to) ?? new Map<string, number>()).set(m.instance, need));
    return null;
  }
}

function fail(code: string, message: string): PrecheckResult {
  return { ok: false, state: 'failed', code, message };
}

export function releaseReservation(ctx: Ctx, move: Move): void {
  ctx.incoming.get(move.to)?.delete(move.instance);
}
