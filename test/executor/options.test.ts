import { describe, expect, it } from 'vitest';
import { scaledClock } from '../../src/demo/clock.js';
import { createAdmission } from '../../executor/admission.js';
import { DEFAULT_EXECUTOR_OPTIONS, ExecutorOptionError, resolveExecutorOptions } from '../../executor/options.js';
import { backoffDelay, isRetryable } from '../../executor/retry.js';
import { HypervisorError } from '../../executor/hypervisor/errors.js';

describe('executor options', () => {
  it('fills defaults and merges nested groups', () => {
    const o = resolveExecutorOptions({ concurrency: { global: 8 }, retries: { maxAttempts: 5 } });
    expect(o.concurrency).toEqual({ global: 8, perHostOutbound: 2, perHostInbound: 2 });
    expect(o.retries).toEqual({ maxAttempts: 5, backoffMs: 2000, maxBackoffMs: 60_000 });
    expect(o.progressTimeoutSeconds).toBe(150);
    expect(resolveExecutorOptions()).toEqual(DEFAULT_EXECUTOR_OPTIONS);
  });

  it.each([
    [{ concurrency: { global: 0 } }, /concurrency\.global.*got `0`/],
    [{ pollIntervalMs: -5 }, /pollIntervalMs.*got `-5`/],
    [{ onTimeout: 'explode' as never }, /onTimeout.*got `explode`/],
    [{ bandwidthMiBps: Number.NaN }, /bandwidthMiBps/],
  ])('rejects %j naming the option and the value', (input, message) => {
    expect(() => resolveExecutorOptions(input)).toThrow(ExecutorOptionError);
    expect(() => resolveExecutorOptions(input)).toThrow(message);
  });
});

describe('retry policy and admission', () => {
  it('retries only transient hypervisor errors, with doubling capped backoff', () => {
    expect(isRetryable(new HypervisorError('BUSY', 'busy', true))).toBe(true);
    expect(isRetryable(new HypervisorError('MIGRATION_FAILED', 'no', false))).toBe(false);
    expect(isRetryable(new Error('x'))).toBe(false);
    const r = { maxAttempts: 5, backoffMs: 1000, maxBackoffMs: 5000 };
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, r))).toEqual([1000, 2000, 4000, 5000]);
  });

  it('admits within global, per-source and per-destination limits', () => {
    const a = createAdmission({ global: 3, perHostOutbound: 2, perHostInbound: 1 });
    a.acquire('A', 'B');
    expect(a.canStart('A', 'B')).toBe(false); // B inbound full
    expect(a.canStart('A', 'C')).toBe(true);
    a.acquire('A', 'C');
    expect(a.canStart('A', 'D')).toBe(false); // A outbound full
    a.acquire('X', 'D');
    expect(a.canStart('Y', 'E')).toBe(false); // global full
    a.release('A', 'B');
    expect(a.canStart('Y', 'E')).toBe(true);
    expect(a.inFlight()).toBe(2);
  });
});

describe('scaled clock', () => {
  it('runs faster than real time', async () => {
    const clock = scaledClock(100);
    const t0 = clock.now();
    const r0 = Date.now();
    await clock.sleep(2000);
    expect(Date.now() - r0).toBeLessThan(500);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(() => scaledClock(0)).toThrow(/got `0`/);
  });
});
