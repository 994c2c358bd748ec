/** Errors the stores throw for calls that name what does not exist. */

/** Thrown when a store call names a plan or move that does not exist. */
export class StoreNotFoundError extends Error {
  override name = 'StoreNotFoundError';
  readonly code = 'STORE_NOT_FOUND';
}
