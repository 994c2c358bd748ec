/**
 * The replica's role among replicas: `rebalancer_ha_leader` (1 while this replica holds the leader
 * lease, 0 on a standby) and `rebalancer_ha_lease_changes_total` (times it became or stopped being
 * leader). A process alone on SQLite is always leader.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RoleView } from '../../ha/leadership.js';

export function registerHaMetrics(registry: Registry, leadership?: RoleView): void {
  new Gauge({
    name: 'rebalancer_ha_leader',
    help: 'Whether this replica is the leader (1) or a standby (0)',
    registers: [registry],
    collect() {
      this.set((leadership?.role() ?? 'leader') === 'leader' ? 1 : 0);
    },
  });
  let seen = 0;
  new Counter({
    name: 'rebalancer_ha_lease_changes_total',
    help: 'Times this replica became or stopped being the leader',
    registers: [registry],
    collect() {
      const now = leadership?.changes() ?? 0;
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}
