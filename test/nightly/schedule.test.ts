import cron from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNightly } from '../../src/nightly/nightly.js';
import { harness } from './helpers.js';

const at = (iso: string) => Date.parse(iso);

/** Advances fake time minute by minute, letting the scheduler's promises settle in between. */
async function advanceMinutes(n: number): Promise<void> {
  for (let k = 0; k < n; k++) await vi.advanceTimersByTimeAsync(60_000);
}

describe('nightly schedule (node-cron, fake timers)', () => {
  afterEach(() => vi.useRealTimers());

  it.each([
    // 02:00 in Berlin is 01:00 UTC in winter and 00:00 UTC in summer; UTC itself at 02:00.
    ['Europe/Berlin', '2026-01-10T00:50:00Z', '2026-01-10T01:00:00.000Z'],
    ['Europe/Berlin', '2026-07-10T23:50:00Z', '2026-07-11T00:00:00.000Z'],
    ['UTC', '2026-01-10T01:50:00Z', '2026-01-10T02:00:00.000Z'],
    ['America/New_York', '2026-01-10T06:50:00Z', '2026-01-10T07:00:00.000Z'],
  ])('fires the default schedule at 02:00 in %s (start %s)', async (timezone, start, expected) => {
    vi.useFakeTimers({
      now: at(start),
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    const h = harness({ timezone });
    h.clock.now = () => Date.now();
    const nightly = createNightly({ ...h.deps, cron });
    nightly.start();
    try {
      await advanceMinutes(9);
      expect(await h.store.listNightlyRuns()).toHaveLength(0);
      await advanceMinutes(2);
      const runs = await h.store.listNightlyRuns();
      expect(runs).toHaveLength(1);
      expect(new Date(runs[0].startedAt).toISOString()).toBe(expected);
      expect(runs[0].result).toMatchObject({ action: 'planned' });
      await advanceMinutes(60);
      expect(await h.store.listNightlyRuns()).toHaveLength(1);
    } finally {
      nightly.stop();
      await h.store.close();
    }
  });

  it('registers nothing when disabled', async () => {
    const h = harness({ enabled: false });
    const schedule = vi.fn(() => ({ stop() {} }));
    createNightly({ ...h.deps, cron: { schedule } }).start();
    expect(schedule).not.toHaveBeenCalled();
    await h.store.close();
  });

  it('passes the expression and time zone to the scheduler once', async () => {
    const h = harness({ schedule: '30 1 * * 1-5', timezone: 'Asia/Tokyo' });
    const schedule = vi.fn(() => ({ stop() {} }));
    const nightly = createNightly({ ...h.deps, cron: { schedule } });
    nightly.start();
    nightly.start();
    expect(schedule).toHaveBeenCalledTimes(1);
    expect(schedule.mock.calls[0]).toEqual([
      '30 1 * * 1-5',
      expect.any(Function),
      expect.objectContaining({ timezone: 'Asia/Tokyo' }),
    ]);
    await h.store.close();
  });
});
