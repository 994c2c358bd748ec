/**
 * The server side of the HTTP benchmark, run in a child process so the load generator does not
 * share its event loop: the real app (real SQLite file, cached inventory collection over a
 * simulated cluster of `size` hosts, executor runner). Talks to the parent over IPC.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';
import { systemClock } from '../executor/clock.js';
import { simulatedClusterFromInventory } from '../executor/hypervisor/simulated/index.js';
import { loadConfig } from '../src/config/index.js';
import { demoRegion } from '../src/demo/region.js';
import { createApp } from '../src/http/app.js';
import { cachedInventorySource } from '../src/inventory/inventory-cache.js';
import { collectInventory } from '../src/inventory/collect.js';
import { silentLogger } from '../src/log.js';
import { createPlanLifecycle } from '../src/orchestrate/lifecycle.js';
import { createPlanPool } from '../src/orchestrate/plan-pool.js';
import { openStore } from '../src/store/sqlite.js';

const TOKEN = 'bench-admin-token-0123456789';
const size = Number(process.env.BENCH_HOSTS ?? 1000);

/** CPU time of the main thread alone (Linux: /proc/self/task/<pid>/stat), in ms; null elsewhere. */
function mainThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return null;
  }
}

/** The main thread's event-loop delay and its GCs since the last reading. */
function loopMonitor() {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const none = () => ({ major: 0, majorMaxMs: 0, majorMs: 0, minorMs: 0 });
  let gc = none();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minorMs += e.duration;
      if (kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      gc = {
        ...gc,
        major: gc.major + 1,
        majorMaxMs: Math.max(gc.majorMaxMs, e.duration),
        majorMs: gc.majorMs + e.duration,
      };
    }
  }).observe({ entryTypes: ['gc'] });
  return () => {
    const r = { p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6, gc };
    delay.reset();
    gc = none();
    return r;
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rebalancer-bench-'));
  const loaded = loadConfig({ env: {} });
  if (!loaded.ok) throw new Error('invalid default configuration');
  // The service's default method; BENCH_POOL=0 plans in-process (the service before the pool).
  const method = (process.env.BENCH_PLANNER_METHOD ?? 'auto') as 'auto' | 'heuristic' | 'exact';
  // BENCH_POOL_SIZE: planning workers (default: the service's, one less than the cores)
  const poolSize = process.env.BENCH_POOL_SIZE ? Number(process.env.BENCH_POOL_SIZE) : undefined;
  const pool = process.env.BENCH_POOL === '0' ? null : createPlanPool({ size: poolSize });
  const config = {
    ...loaded.config,
    planner: { ...loaded.config.planner, method },
    api: { ...loaded.config.api, tokens: [{ token: TOKEN, role: 'admin' as const }] },
    store: { path: join(dir, 'bench.sqlite') },
  };
  const inventory = demoRegion({ seed: 1, cells: Math.max(3, Math.round(size / 100)), size });
  const { cluster, hosts } = simulatedClusterFromInventory(inventory, { clock: systemClock });
  const store = openStore(config.store.path);
  const collect = (signal?: AbortSignal) =>
    collectInventory({
      hypervisor: cluster,
      hosts,
      serverGroups: inventory.serverGroups,
      sampleMs: 0,
      dirtyRateMs: 0,
      signal,
    });
  const lifecycle = createPlanLifecycle({
    cluster: { hypervisor: cluster, hosts },
    store,
    clock: systemClock,
    collect,
    settings: { planner: config.planner, cooldownHours: config.nightly.cooldownHours },
    planFn: pool?.plan,
  });
  // The inventory is collected again (all 1,000 hosts) when a request finds it older than 5 s.
  const maxAgeMs = Number(process.env.BENCH_INVENTORY_MAX_AGE_MS ?? 5000);
  const inventorySource = cachedInventorySource({ collect, clock: systemClock, maxAgeMs });
  const app = createApp({
    config,
    lifecycle,
    inventorySource,
    log: silentLogger(),
    clock: systemClock,
  });
  const loop = loopMonitor();
  const server = app.listen(0, '127.0.0.1', () => {
    const port = (server.address() as AddressInfo).port;
    process.send!({
      type: 'ready',
      method,
      pool: pool ? pool.size : 0,
      port,
      token: TOKEN,
      hosts: inventory.hosts.map((h) => h.name),
      instances: inventory.instances.length,
    });
  });
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'memory') {
      const since = loop();
      const cpuMs = mainThreadCpuMs();
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      // then the workers' heaps after their own GC, and the process's RSS after every thread's GC.
      // V8 gives freed memory back over several GCs (and on a thread of its own): three rounds of GC
      // on every thread, 250 ms apart, before RSS is read.
      void (async () => {
        let workers = (await pool?.memory()) ?? [];
        for (let round = 1; round < 3; round++) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          (globalThis as { gc?: () => void }).gc?.();
          workers = (await pool?.memory()) ?? [];
        }
        loop(); // the GCs of this reading are not the load's
        const rssAll = process.memoryUsage.rss();
        process.send!({ type: 'memory', rss: m.rss, heapUsed: m.heapUsed, rssAll, cpuMs, loop: since, workers });
      })();
    } else if (msg.type === 'stop') {
      void pool?.close();
      server.close();
      server.closeAllConnections();
      void store.close().finally(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
}

void main();
