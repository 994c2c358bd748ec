/** Result of the plan verifier. */
export interface Violation {
  /** Wave in which the violation happens; null for end-state rules (affinity, unplaced bookkeeping). */
  wave: number | null;
  /** Stable rule name, e.g. `CAPACITY`, `CELL`, `ANTI_AFFINITY`. */
  code: string;
  message: string;
  instance?: string;
  host?: string;
  /** Campaign step (from 0) the violation belongs to; absent outside campaigns and for campaign-wide rules. */
  step?: number;
}

export interface VerifyResult {
  ok: boolean;
  violations: Violation[];
}
