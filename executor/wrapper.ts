/**
 * The shape of an explicit wrapper: every member of `T`, optional ones included (those may be
 * `undefined` when the wrapped object lacks them). A class that `implements Wrapper<T>` and
 * forgets a member of `T`, or one added to `T` later, does not compile.
 */
export type Wrapper<T> = { [K in keyof T & string]: IsOptional<T, K> extends true ? T[K] | undefined : T[K] };

type IsOptional<T, K extends keyof T> = Partial<Pick<T, K>> extends Pick<T, K> ? true : false;
