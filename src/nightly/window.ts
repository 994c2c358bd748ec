/**
 * The nightly window's end as an instant: the next time the wall clock in `timeZone` shows
 * `HH:MM` after the run started. Pure date arithmetic with Intl (no time-zone library).
 */

/** Wall-clock fields of an instant in a time zone. */
function wallClock(
  at: number,
  timeZone: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year, mo: p.month, d: p.day, h: p.hour, mi: p.minute, s: p.second };
}

/** Offset of the zone from UTC at `at`, in ms (positive east of Greenwich). */
function offsetMs(at: number, timeZone: string): number {
  const w = wallClock(at, timeZone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(at / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local date and time. In a
 * spring-forward gap the time does not exist; the result is then shifted forward by the gap.
 */
export function zonedInstant(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const first = asUtc - offsetMs(asUtc, timeZone);
  return asUtc - offsetMs(first, timeZone);
}

/** Parses `HH:MM`. */
export function parseLocalTime(text: string): { h: number; mi: number } {
  const m = /^(\d\d):(\d\d)$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new RangeError(`expected a local time HH:MM, got "${text}"`);
  return { h: Number(m[1]), mi: Number(m[2]) };
}

/** The first instant after `from` at which `timeZone` shows `hhmm` (at most a day away). */
export function nextWallTime(from: number, hhmm: string, timeZone: string): number {
  const { h, mi } = parseLocalTime(hhmm);
  const today = wallClock(from, timeZone);
  const candidate = zonedInstant(today.y, today.mo, today.d, h, mi, timeZone);
  if (candidate > from) return candidate;
  const tomorrow = new Date(Date.UTC(today.y, today.mo - 1, today.d + 1));
  return zonedInstant(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth() + 1, tomorrow.getUTCDate(), h, mi, timeZone);
}
