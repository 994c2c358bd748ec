/**
 * What both stores' migration runners share: which migrations a database still needs, and the
 * refusal of a database whose schema is newer than the program. Each store applies them its own
 * way (SQLite: one BEGIN IMMEDIATE transaction, `PRAGMA user_version`; PostgreSQL: one transaction
 * under an advisory lock, `schema_migrations`).
 */

/** Thrown when the database holds a schema newer than this program's migrations. */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
  readonly code = 'STORE_SCHEMA_TOO_NEW';
}

/**
 * The migrations a database at schema version `current` still needs, oldest first, each with the
 * version it brings the database to (its position + 1); none when it is current. A database newer
 * than `migrations` throws SchemaTooNewError naming both versions.
 */
export function pendingMigrations<M>(
  current: number,
  migrations: readonly M[],
): Array<{ version: number; migration: M }> {
  const target = migrations.length;
  if (current > target)
    throw new SchemaTooNewError(
      `database schema version ${current} is newer than this program knows (${target}); upgrade the program`,
    );
  return migrations.slice(current).map((migration, k) => ({ version: current + k + 1, migration }));
}
