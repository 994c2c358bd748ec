/** The store ports with every method returning a Promise (the ports' asynchronous form). */
export type AsyncPort<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};
