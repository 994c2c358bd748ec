/** Number formatting for the report page (fixed locale, so output does not depend on the machine). */
const one = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const two = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export const num = (x: number): string => one.format(x);
export const num2 = (x: number): string => two.format(x);
export const pct = (x: number): string => `${one.format(x * 100)}%`;
export const gib = (mb: number): string => `${one.format(mb / 1024)} GiB`;

/** Allocated / capacity, 0 for a host without capacity. */
export const ratio = (allocated: number, capacity: number): number =>
  capacity > 0 ? allocated / capacity : allocated > 0 ? 1 : 0;

/** A duration in seconds as `45 min` or `3 h 05 min` (rounded to the minute). */
export const span = (seconds: number): string => {
  const m = Math.round(seconds / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
};
