import { describe, expect, it } from 'vitest';
import { NightlyConfigSchema } from '../../src/nightly/config.js';
import { nextWallTime } from '../../src/nightly/window.js';

describe('nightly configuration', () => {
  it('has documented defaults', () => {
    expect(NightlyConfigSchema.parse({})).toEqual({
      enabled: true,
      schedule: '0 2 * * *',
      timezone: 'UTC',
      windowEnd: '05:00',
      mode: 'report',
      threshold: 0.1,
      maxMovesPerNight: 20,
      cooldownHours: 24,
      cells: [],
    });
  });

  it('reports every bad field with the value received', () => {
    const r = NightlyConfigSchema.safeParse({
      schedule: 'every night',
      timezone: 'Mars/Olympus',
      windowEnd: '5am',
      mode: 'yolo',
      maxMovesPerNight: 0,
      extra: 1,
    });
    expect(r.success).toBe(false);
    const byPath = Object.fromEntries(r.error!.issues.map((i) => [i.path.join('.') || i.code, i.message]));
    expect(byPath.schedule).toContain('"every night"');
    expect(byPath.timezone).toContain('"Mars/Olympus"');
    expect(byPath.windowEnd).toContain('HH:MM');
    expect(Object.keys(byPath)).toEqual(expect.arrayContaining(['mode', 'maxMovesPerNight', 'unrecognized_keys']));
  });
});

describe('window end', () => {
  const at = (iso: string) => Date.parse(iso);
  const iso = (ms: number) => new Date(ms).toISOString();

  it.each([
    ['2026-01-10T02:00:00Z', '05:00', 'UTC', '2026-01-10T05:00:00.000Z'],
    ['2026-01-10T01:00:00Z', '05:00', 'Europe/Berlin', '2026-01-10T04:00:00.000Z'],
    ['2026-07-10T00:00:00Z', '05:00', 'Europe/Berlin', '2026-07-10T03:00:00.000Z'],
    // started after the window's end: the next day's
    ['2026-07-10T04:00:00Z', '05:00', 'Europe/Berlin', '2026-07-11T03:00:00.000Z'],
    // the night clocks go forward (Berlin, 29 March 2026: 02:00 -> 03:00)
    ['2026-03-29T00:30:00Z', '05:00', 'Europe/Berlin', '2026-03-29T03:00:00.000Z'],
    ['2026-03-29T00:30:00Z', '02:30', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'],
    // the night clocks go back (Berlin, 25 October 2026: 03:00 -> 02:00)
    ['2026-10-25T00:30:00Z', '05:00', 'Europe/Berlin', '2026-10-25T04:00:00.000Z'],
    ['2026-01-10T07:00:00Z', '05:00', 'America/New_York', '2026-01-10T10:00:00.000Z'],
  ])('from %s, %s in %s is %s', (from, hhmm, tz, expected) => {
    expect(iso(nextWallTime(at(from), hhmm, tz))).toBe(expected);
  });

  it('rejects a malformed time', () => {
    expect(() => nextWallTime(0, '25:00', 'UTC')).toThrow('expected a local time HH:MM, got "25:00"');
  });
});
