/**
 * better-sqlite3 is synchronous: the SQLite store is written as synchronous methods (each one
 * transaction, committed before it returns) and `asynchronous` turns them into the store port,
 * whose methods return promises. A throw becomes a rejection; nothing runs between a method's
 * start and its commit.
 */

/** The port `T` with every method returning its result directly instead of a promise. */
export type Synchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};

/** The port whose methods run the synchronous `methods` and resolve with their results. */
export function asynchronous<T>(methods: Synchronous<T>): T {
  const port: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(methods as Record<string, (...args: unknown[]) => unknown>)) {
    port[name] = async (...args: unknown[]) => method(...args);
  }
  return port as T;
}
