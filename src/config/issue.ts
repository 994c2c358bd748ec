/**
 * One configuration problem: where (`api.port`, or the file name), what was expected, and which
 * source gave the value: a file (the defaults file included) or an environment variable.
 */
export interface ConfigIssue {
  path: string;
  message: string;
  /**
   * The file or environment variable the offending value came from, e.g. `/etc/rebalancer.yaml`,
   * `REBALANCER_API__PORT`.
   */
  source?: string;
}
