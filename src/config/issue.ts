/** One configuration problem: where (`api.port`, or the file name) and what was expected. */
export interface ConfigIssue {
  path: string;
  message: string;
}
