/** The `maintenance` configuration section (rolling maintenance campaigns); defaults live here. */
import { z } from 'zod';

export const MaintenanceConfigSchema = z.strictObject({
  /**
   * Command that patches and reboots one host, as an argv array (never a shell line, never taken
   * from a request). Run with REBALANCER_HOST and REBALANCER_CAMPAIGN set; exit 0 means the host
   * is patched. Absent: the operator calls POST /maintenance/:id/hosts/:host/done. @default none
   */
  hostCommand: z.array(z.string().min(1)).min(1, 'expected at least the program to run').optional(),
  /** The command is killed after this long and the campaign pauses. @default 60 */
  hostCommandTimeoutMinutes: z.number().positive().default(60),
  /** A patched host must be back (reachable, up, enabled) within this long, else the campaign pauses. @default 30 */
  returnTimeoutMinutes: z.number().positive().default(30),
  /** Expected patching time per host, for campaign durations in reports and ETAs. @default 15 */
  patchMinutes: z.number().nonnegative().default(15),
  /** Interval between checks while a campaign waits (drain end, operator, host back). @default 5 */
  pollSeconds: z.number().positive().default(5),
});

export type MaintenanceConfig = z.infer<typeof MaintenanceConfigSchema>;
