/**
 * The service as `rebalancer serve` wires it (demo region on the simulated cluster, SQLite file in a
 * fresh folder or the PostgreSQL database the test names, executor, runner), listening on a loopback
 * port: for tests that drive it over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, type Service } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/log.js';
import { ADMIN, type Harness, makeCaller, READER } from './harness.js';

export interface DemoService {
  service: Service;
  call: Harness['call'];
  /** The service's folder (store file and anything the test writes beside it). */
  dir: string;
  close(): Promise<void>;
}

/**
 * Starts the demo service with an admin and a read token, the heuristic planner and no nightly run;
 * `env` adds or overrides configuration variables (REBALANCER_DEMO at least). `setup` runs first with
 * the service's folder, for files the configuration names.
 */
export async function startDemoService(
  env: Record<string, string> | ((dir: string) => Record<string, string>),
): Promise<DemoService> {
  const dir = mkdtempSync(join(tmpdir(), 'rebalancer-demo-'));
  const given = typeof env === 'function' ? env(dir) : env;
  const loaded = loadConfig({
    env: {
      // an SQLite file in the folder, unless the test gives a PostgreSQL URL
      ...(given.REBALANCER_STORE__URL ? {} : { REBALANCER_STORE__PATH: join(dir, 'store.sqlite') }),
      REBALANCER_API__TOKENS: JSON.stringify([
        { token: ADMIN, role: 'admin' },
        { token: READER, role: 'read' },
      ]),
      REBALANCER_PLANNER__METHOD: 'heuristic',
      REBALANCER_NIGHTLY__ENABLED: 'false',
      ...given,
    },
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const service = await createService({ config: loaded.config, log: silentLogger() });
  const server: Server = await new Promise((resolve) => {
    const s = service.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    service,
    call: makeCaller(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    dir,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
