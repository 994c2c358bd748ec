/**
 * Two replicas (`rebalancer serve`, the compiled build) on one PostgreSQL database with the demo
 * world in it, lease 2 s, poll 0.5 s:
 * - one leader, one standby (healthz, metrics);
 * - 20 racing `POST /plans/drain?host=X` spread over both replicas: exactly one 201;
 * - 20 times: a drain executing on the leader (asked on either replica), the leader SIGKILLed
 *   mid-drain; the standby becomes leader within lease + one poll and finishes the drain; every
 *   VM on exactly one host, no migration completed twice, the plan's record complete. The
 *   takeover times are printed (BENCHMARKS.md).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { postgresSkip } from '../support/postgres.js';
import { replicasOnFreshDatabase, role, until, type Replica } from './support.js';

const LEASE_S = 2;
const POLL_S = 0.5;
const DEMO = JSON.stringify({ seed: 5, cells: 1, size: 12, timeScale: 120 });
const FINAL = ['succeeded', 'failed', 'cancelled'];

describe.skipIf(postgresSkip)('replicas on one PostgreSQL: one leader, take-over after SIGKILL', () => {
  const set = replicasOnFreshDatabase();
  const { replicas } = set;
  let seq = 0;
  const start = () =>
    set.start(`r${++seq}`, {
      REBALANCER_STORE__URL: set.url,
      REBALANCER_HA__LEASE_SECONDS: String(LEASE_S),
      REBALANCER_HA__POLL_SECONDS: String(POLL_S),
      REBALANCER_DEMO: DEMO,
    });
  const live = () => replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  const leaderNow = () => until('a leader', 10_000, async () => (await whoLeads(live()))[0]);

  beforeAll(async () => {
    await start();
    await until('the first replica to lead', 10_000, async () => (await role(replicas[0])) === 'leader');
    await start();
  }, 60_000);

  it('one leader and one standby, in /healthz, /readyz, the banner and the metrics', async () => {
    const [a, b] = replicas;
    expect([await role(a), await role(b)]).toEqual(['leader', 'standby']);
    expect(a.output()).toMatch(/role: +leader \(one leader among replicas; lease 2 s\)/);
    expect(b.output()).toMatch(/role: +standby/);
    const ready = await b.call('GET', '/readyz', { token: null });
    expect(ready.body.role).toBe('standby');
    const metric = async (r: Replica) => {
      const text = (await r.call('GET', '/metrics')).body as string;
      return Number(/^rebalancer_ha_leader (\d+)$/m.exec(text)?.[1]);
    };
    expect([await metric(a), await metric(b)]).toEqual([1, 0]);
  });

  it('20 racing drains of one host spread over both replicas: exactly one 201, the others 409', async () => {
    const [a, b] = replicas;
    const host = await busiestHost(a);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, k) => (k % 2 ? a : b).call('POST', `/plans/drain?host=${host}`)),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const won = answers.find((r) => r.status === 201)!.body.id as string;
    const { rows } = await set.sql.query(
      'SELECT host, plan_id FROM maintenance WHERE released_at IS NULL AND host = $1',
      [host],
    );
    expect(rows).toEqual([{ host, plan_id: won }]);
    expect((await b.call('POST', `/plans/${won}/cancel`)).status).toBe(200);
    expect((await a.call('POST', `/hosts/${host}/maintenance?enabled=false`)).status).toBe(200);
  });

  it('20 times: the leader is SIGKILLed mid-drain; the standby takes over within lease + poll and finishes it, each VM moved once', async () => {
    const takeovers: number[] = [];
    const began = Date.now();
    for (let round = 0; round < 20; round++) {
      const leader = await leaderNow();
      const standby = live().find((r) => r !== leader)!;
      expect(await role(standby)).toBe('standby');
      const host = await busiestHost(leader);
      const before = await placements(leader);
      // asked on the standby every other round: queued in the database, started by the leader
      const asked = round % 2 ? standby : leader;
      const created = await asked.call('POST', `/plans/drain?host=${host}&execute=true`);
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      await until(`round ${round}: a migration under way on the leader`, 20_000, async () => {
        const p = (await leader.call('GET', `/plans/${id}`)).body;
        const started = (p.moves as { state: string }[]).some((m) => m.state !== 'pending');
        return started && !FINAL.includes(p.status);
      });
      leader.child.kill('SIGKILL');
      const killed = Date.now();
      await leader.exited;
      await until(`round ${round}: the standby to lead`, 15_000, async () => (await role(standby)) === 'leader');
      takeovers.push(Date.now() - killed);
      // a replacement standby joins while the new leader finishes the drain
      const next = start();
      const plan = await until(`round ${round}: the drain to end`, 60_000, async () => {
        const p = (await standby.call('GET', `/plans/${id}`)).body;
        const last = p.supersededBy ? (await standby.call('GET', `/plans/${p.supersededBy}`)).body : p;
        return FINAL.includes(last.status) ? last : null;
      });
      expect(plan.status, `round ${round}: ${JSON.stringify(plan.moves)}`).toBe('succeeded');
      await checkRecord(id, host, before, standby);
      expect((await standby.call('POST', `/hosts/${host}/maintenance?enabled=false`)).status).toBe(200);
      await next;
    }
    const sorted = [...takeovers].sort((x, y) => x - y);
    const figures = {
      rounds: sorted.length,
      minMs: sorted[0],
      medianMs: sorted[Math.floor(sorted.length / 2)],
      maxMs: sorted.at(-1),
      totalSeconds: Math.round((Date.now() - began) / 1000),
    };
    console.log(`takeover after SIGKILL (lease ${LEASE_S} s, poll ${POLL_S} s): ${JSON.stringify(figures)}`);
    // the lease runs out at most LEASE_S after the kill, the standby tries again within a poll;
    // the slack is for process scheduling on a loaded machine
    for (const t of takeovers) expect(t).toBeLessThan((LEASE_S + POLL_S) * 1000 + 2000);
    // 20 rounds take 200-280 s at a load of 10-15 on 2 cores; the guard is for a hang, not for speed
  }, 600_000);

  /** The host with the most instances (not in maintenance). */
  async function busiestHost(r: Replica): Promise<string> {
    const hosts = (await r.call('GET', '/hosts')).body.hosts as {
      name: string;
      instances: number;
      maintenance: unknown;
    }[];
    const free = hosts.filter((h) => !h.maintenance);
    return free.reduce((x, y) => (y.instances > x.instances ? y : x)).name;
  }

  /** Every instance id and the host it is listed on, over all hosts. */
  async function placements(r: Replica): Promise<Map<string, string[]>> {
    const hosts = (await r.call('GET', '/hosts')).body.hosts as { name: string }[];
    const where = new Map<string, string[]>();
    for (const h of hosts) {
      const detail = (await r.call('GET', `/hosts/${h.name}`)).body;
      for (const i of detail.instanceList as { id: string }[]) where.set(i.id, [...(where.get(i.id) ?? []), h.name]);
    }
    return where;
  }

  async function checkRecord(id: string, host: string, before: Map<string, string[]>, leader: Replica) {
    // every VM on exactly one host, none lost, the drained host empty
    const after = await placements(leader);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [vm, hosts] of after) expect(hosts, vm).toHaveLength(1);
    expect([...after.values()].filter((h) => h[0] === host)).toEqual([]);
    // the chain's record: every move ended, each VM's migration completed once
    const chain = await set.sql.query<{ id: string; status: string }>(
      `WITH RECURSIVE c AS (SELECT id, status, superseded_by FROM plans WHERE id = $1
         UNION ALL SELECT p.id, p.status, p.superseded_by FROM plans p JOIN c ON p.id = c.superseded_by)
       SELECT id, status FROM c`,
      [id],
    );
    const ids = chain.rows.map((r) => r.id);
    const moves = await set.sql.query<{ plan_id: string; state: string; instance: string }>(
      `SELECT plan_id, state, move_json::json->>'instance' AS instance FROM moves WHERE plan_id = ANY($1)`,
      [ids],
    );
    const last = moves.rows.filter((m) => m.plan_id === ids.at(-1));
    expect(last.length).toBeGreaterThan(0);
    expect(last.every((m) => m.state === 'succeeded')).toBe(true);
    // no migration completed twice (one interrupted by the kill is retried, and completes once)
    const completed = await set.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events WHERE plan_id = ANY($1) AND type = 'migration.ended'
          AND data_json::json->>'result' = 'completed' GROUP BY plan_id, move_idx`,
      [ids],
    );
    expect(completed.rows.every((r) => r.n === 1)).toBe(true);
    const succeededPerVm = new Map<string, number>();
    for (const m of moves.rows.filter((x) => x.state === 'succeeded'))
      succeededPerVm.set(m.instance, (succeededPerVm.get(m.instance) ?? 0) + 1);
    for (const [vm, n] of succeededPerVm) expect(n, `${vm} moved ${n} times`).toBe(1);
    const events = await set.sql.query<{ type: string }>(
      "SELECT type FROM events WHERE plan_id = $1 AND type IN ('plan.started', 'plan.finished') ORDER BY id",
      [ids.at(-1)],
    );
    expect(events.rows.map((e) => e.type)).toEqual(['plan.started', 'plan.finished']);
  }
});

async function whoLeads(rs: Replica[]): Promise<Replica[]> {
  const roles = await Promise.all(rs.map(role));
  const leaders = rs.filter((_, k) => roles[k] === 'leader');
  expect(leaders.length).toBeLessThanOrEqual(1);
  await sleep(0);
  return leaders;
}
