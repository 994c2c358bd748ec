/** The executor's explicit port wrappers: the fence of a stopped executor and the deadline on short hypervisor calls. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../executor/clock.js';
import { DeadlineHypervisor } from '../../executor/deadline.js';
import { FencedHypervisor, FencedStore } from '../../executor/fence.js';
import { HypervisorError } from '../../executor/hypervisor/errors.js';
import { HypervisorWrapper } from '../../executor/wrapper.js';
import { createSimulatedCluster } from '../../executor/hypervisor/simulated/index.js';
import type { GuestCpu, Hypervisor } from '../../executor/hypervisor/types.js';
import type { ServiceStore } from '../../src/store/port.js';
import { openStore } from '../../src/store/sqlite.js';
import { hosts, mv, planOf, vms } from './harness.js';

/** The methods a wrapper class defines (its own, without the constructor and private helpers). */
function methodsOf(proto: object, privateNames: string[]): string[] {
  return Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor' && !privateNames.includes(n));
}

const CPU: GuestCpu = { xml: '<cpu/>', virtType: 'kvm', arch: 'x86_64' };

/** Calls `name` on `obj` with arguments of the right shape for that Hypervisor method. */
function callHv(hv: Hypervisor, name: string, signal?: AbortSignal): Promise<unknown> {
  switch (name) {
    case 'hostFacts':
    case 'listDomains':
      return hv[name]('A', signal);
    case 'jobProgress':
    case 'abortJob':
    case 'startPostCopy':
    case 'suspend':
    case 'resume':
      return hv[name]('A', 'vm0', signal);
    case 'setMaxSpeed':
      return hv.setMaxSpeed('A', 'vm0', 10, signal);
    case 'startDirtyRateCalc':
      return hv.startDirtyRateCalc('A', ['vm0'], 1, signal);
    case 'dirtyRates':
      return hv.dirtyRates('A', ['vm0'], signal);
    case 'compareCpu':
      return hv.compareCpu!('A', CPU, signal);
    case 'locate':
      return hv.locate('vm0', ['A'], signal);
    case 'migrate':
      return hv.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'B', mode: 'live' }, signal);
    case 'close':
      return hv.close();
    default:
      throw new Error(`no call written for Hypervisor.${name}`);
  }
}

const SHORT_CALLS = [
  'hostFacts',
  'listDomains',
  'jobProgress',
  'abortJob',
  'setMaxSpeed',
  'startPostCopy',
  'startDirtyRateCalc',
  'dirtyRates',
  'suspend',
  'resume',
  'compareCpu',
  'locate',
];

/** A hypervisor whose calls never answer until the signal they got aborts; it keeps each call's signal. */
class Silent implements Hypervisor {
  readonly kind = 'simulated' as const;
  readonly signals = new Map<string, AbortSignal | undefined>();
  private hang(name: string, signal?: AbortSignal): Promise<never> {
    this.signals.set(name, signal);
    return new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
  }
  hostFacts = (_h: string, s?: AbortSignal) => this.hang('hostFacts', s);
  listDomains = (_h: string, s?: AbortSignal) => this.hang('listDomains', s);
  migrate = (_r: unknown, s?: AbortSignal) => this.hang('migrate', s);
  jobProgress = (_h: string, _d: string, s?: AbortSignal) => this.hang('jobProgress', s);
  abortJob = (_h: string, _d: string, s?: AbortSignal) => this.hang('abortJob', s);
  setMaxSpeed = (_h: string, _d: string, _m: number, s?: AbortSignal) => this.hang('setMaxSpeed', s);
  startPostCopy = (_h: string, _d: string, s?: AbortSignal) => this.hang('startPostCopy', s);
  startDirtyRateCalc = (_h: string, _d: string[], _x: number, s?: AbortSignal) => this.hang('startDirtyRateCalc', s);
  dirtyRates = (_h: string, _d: string[], s?: AbortSignal) => this.hang('dirtyRates', s);
  suspend = (_h: string, _d: string, s?: AbortSignal) => this.hang('suspend', s);
  resume = (_h: string, _d: string, s?: AbortSignal) => this.hang('resume', s);
  compareCpu = (_h: string, _c: GuestCpu, s?: AbortSignal) => this.hang('compareCpu', s);
  locate = (_d: string, _h: string[], s?: AbortSignal) => this.hang('locate', s);
  close = () => this.hang('close');
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function tempStore(): ServiceStore {
  const dir = mkdtempSync(join(tmpdir(), 'rebalancer-fence-'));
  const store = openStore(join(dir, 'state.db'));
  cleanup = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return store;
}

describe('FencedStore', () => {
  it('passes calls through while the executor lives, then refuses every one without touching the store', async () => {
    const store = tempStore();
    const life = new AbortController();
    const fenced = new FencedStore(store, life.signal);
    const rec = await fenced.createPlan({ plan: planOf([mv('vm0', 'A', 'B')]), source: 'cli', at: 1 });
    expect((await store.getPlan(rec.id))?.status).toBe('planned');
    expect(await fenced.listMoves(rec.id)).toHaveLength(1);

    life.abort(new Error('crashed'));
    const names = methodsOf(FencedStore.prototype, ['check']);
    expect(names).toHaveLength(21);
    for (const name of names) {
      const method = (fenced as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name];
      await expect(method.call(fenced, rec.id, 'running', 2), name).rejects.toThrow(
        expect.objectContaining({ code: 'EXECUTOR_STOPPED' }),
      );
    }
    expect((await store.getPlan(rec.id))?.status).toBe('planned');
    expect(await store.listPlans()).toHaveLength(1);
  });
});

describe('FencedHypervisor', () => {
  it('passes calls through while the executor lives, then every call throws at once', async () => {
    const clock = createVirtualClock({ autoAdvance: true });
    const sim = createSimulatedCluster({ clock, hosts: hosts(['A', 'B']), domains: vms(1, 'A') });
    const life = new AbortController();
    const fenced = new FencedHypervisor(sim, life.signal);
    expect(fenced.kind).toBe('simulated');
    expect((await fenced.hostFacts('A')).reachable).toBe(true);
    expect((await fenced.locate('vm0', ['A', 'B'])).runningOn).toEqual(['A']);
    // the simulated cluster cannot compare CPUs; neither can its wrapper, so the model-name rule applies
    expect(sim.compareCpu).toBeUndefined();
    expect(fenced.compareCpu).toBeUndefined();

    life.abort(new Error('crashed'));
    // the methods are written out once, in the wrapper it extends; the fence only says what runs around each
    expect(fenced).toBeInstanceOf(HypervisorWrapper);
    expect(methodsOf(FencedHypervisor.prototype, [])).toEqual(['around']);
    const names = methodsOf(HypervisorWrapper.prototype, []);
    expect(names.sort()).toEqual([...SHORT_CALLS.filter((n) => n !== 'compareCpu'), 'migrate', 'close'].sort());
    for (const name of names)
      expect(() => callHv(fenced, name), name).toThrow(expect.objectContaining({ code: 'EXECUTOR_STOPPED' }));
    const withCpu = new FencedHypervisor(new Silent(), life.signal);
    expect(() => callHv(withCpu, 'compareCpu')).toThrow(expect.objectContaining({ code: 'EXECUTOR_STOPPED' }));
    // nothing moved
    expect(sim.whereIs('vm0')!.host).toBe('A');
    clock.stop();
  });
});

describe('DeadlineHypervisor', () => {
  it('fails every short call that gets no answer with HOST_UNREACHABLE at the deadline and aborts the driver call', async () => {
    const clock = createVirtualClock({ start: 0 });
    const silent = new Silent();
    const hv = new DeadlineHypervisor(silent, clock, 100);
    for (const name of SHORT_CALLS) {
      const outcome = callHv(hv, name).then(
        () => 'answered',
        (err: unknown) => err,
      );
      await clock.advance(99);
      expect(silent.signals.get(name)?.aborted, name).toBe(false);
      await clock.advance(1);
      const err = await outcome;
      expect(err, name).toBeInstanceOf(HypervisorError);
      expect(err, name).toMatchObject({ code: 'HOST_UNREACHABLE', transient: true });
      expect((err as Error).message).toBe(
        `hypervisor call ${name}(${name === 'locate' ? 'vm0' : 'A'}) got no answer within 100 ms`,
      );
      expect(silent.signals.get(name)?.aborted, name).toBe(true);
      expect(clock.pending(), name).toBe(0);
    }
  });

  it("hands the driver the caller's signal too, wherever the caller left it out or passed undefined", async () => {
    const clock = createVirtualClock({ start: 0 });
    const silent = new Silent();
    const hv = new DeadlineHypervisor(silent, clock, 100);
    const caller = new AbortController();
    const first = hv.hostFacts('A', caller.signal).catch((err: unknown) => err);
    caller.abort(new Error('caller gave up'));
    expect(silent.signals.get('hostFacts')?.aborted).toBe(true);
    expect(await first).toMatchObject({ message: 'caller gave up' });

    const second = hv.listDomains('A', undefined).catch((err: unknown) => err);
    expect(silent.signals.get('listDomains')).toBeInstanceOf(AbortSignal);
    await clock.advance(100);
    expect(await second).toMatchObject({ code: 'HOST_UNREACHABLE' });
  });

  it('leaves migrate and close unbounded, and turns a driver that throws at once into a rejection', async () => {
    const clock = createVirtualClock({ start: 0 });
    const silent = new Silent();
    const hv = new DeadlineHypervisor(silent, clock, 100);
    let settled = false;
    const caller = new AbortController();
    const migrating = callHv(hv, 'migrate', caller.signal).finally(() => {
      settled = true;
    });
    migrating.catch(() => undefined);
    void callHv(hv, 'close');
    expect(clock.pending()).toBe(0);
    await clock.advance(10_000);
    expect(settled).toBe(false);
    expect(silent.signals.get('migrate')).toBe(caller.signal);
    caller.abort(new Error('stop waiting'));
    await expect(migrating).rejects.toThrow('stop waiting');

    const broken = new DeadlineHypervisor(
      Object.assign(new Silent(), {
        suspend: (): Promise<void> => {
          throw new HypervisorError('NOT_FOUND', 'no such domain', false);
        },
      }),
      clock,
      100,
    );
    await expect(broken.suspend('A', 'vm0')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(clock.pending()).toBe(0);
    expect(hv.kind).toBe('simulated');
    const sim = createSimulatedCluster({ clock, hosts: [], domains: [] });
    expect(new DeadlineHypervisor(sim, clock, 1).compareCpu).toBeUndefined();
    expect(new DeadlineHypervisor(silent, clock, 1).compareCpu).toBeInstanceOf(Function);
  });
});
