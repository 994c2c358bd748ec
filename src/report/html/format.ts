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
