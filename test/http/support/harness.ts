/**
 * Starts the real app on 127.0.0.1 with a fresh SQLite file and calls it over real HTTP. Every
 * response is checked against the served /openapi.json; a non-conforming one fails the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../../executor/clock.js';
import type { ServiceStore } from '../../../src/store/port.js';
import type { Inventory } from '../../../planner/index.js';
import { loadConfig, type Config } from '../../../src/config/index.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { createApp } from '../../../src/http/app.js';
import type { InventorySource } from '../../../src/http/deps.js';
import { createPlanLifecycle, type PlanLifecycle, type PlanRunner } from '../../../src/orchestrate/lifecycle.js';
import { openStore } from '../../../src/store/sqlite.js';
import { checkResponse } from './openapi-validator.js';

export const ADMIN = 'admin-token-0123456789abcdef';
export const READER = 'read-token-0123456789abcdef';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export interface Harness {
  url: string;
  store: ServiceStore;
  config: Config;
  dir: string;
  call(
    method: string,
    path: string,
    opts?: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Reply>;
  close(): Promise<void>;
}

/** A runner that records what it was asked to do (routes tests); e2e tests pass a real one. */
export function recordingRunner(): PlanRunner & { started: string[]; cancelled: string[] } {
  const started: string[] = [];
  const cancelled: string[] = [];
  return {
    started,
    cancelled,
    start: (id) => void started.push(id),
    cancel: async (id) => {
      cancelled.push(id);
      return started.includes(id);
    },
    running: () => started.filter((id) => !cancelled.includes(id)),
    idle: async () => {},
  };
}

export interface HarnessOptions {
  inventory?: Inventory;
  inventorySource?: InventorySource;
  runner?: PlanRunner;
  clock?: Clock;
  config?: (c: Config) => Config;
  store?: (path: string) => ServiceStore;
  /** @default a silent logger */
  log?: Logger;
  /** The plan lifecycle over the harness's store. @default one without hypervisors, running plans with `runner` */
  lifecycle?: (store: ServiceStore, config: Config) => PlanLifecycle;
}

export async function startHarness(o: HarnessOptions): Promise<Harness> {
  const loaded = loadConfig({ env: {} });
  if (!loaded.ok) throw new Error('default config invalid');
  const dir = mkdtempSync(join(tmpdir(), 'rebalancer-http-'));
  const base: Config = {
    ...loaded.config,
    api: {
      ...loaded.config.api,
      port: 0,
      tokens: [
        { token: ADMIN, role: 'admin' },
        { token: READER, role: 'read' },
      ],
    },
    store: { path: join(dir, 'store.sqlite') },
    planner: { ...loaded.config.planner, method: 'heuristic' },
  };
  const config = o.config ? o.config(base) : base;
  const store = (o.store ?? openStore)(config.store.path!);
  const inventorySource = o.inventorySource ?? (async () => structuredClone(o.inventory!));
  const clock = o.clock ?? systemClock;
  const lifecycle =
    o.lifecycle?.(store, config) ??
    createPlanLifecycle({
      store,
      clock,
      settings: { planner: config.planner, cooldownHours: config.nightly.cooldownHours },
      collect: () => inventorySource({ fresh: true }),
      runner: o.runner ?? recordingRunner(),
    });
  const app = createApp({ config, lifecycle, inventorySource, log: o.log ?? silentLogger(), clock });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = makeCaller(url);
  const close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, store, config, dir, call, close };
}

/** Calls the API at `url` (admin token unless told otherwise), checking every response against /openapi.json. */
export function makeCaller(url: string): Harness['call'] {
  let openapi: any = null;
  const call: Harness['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? ADMIN : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body });
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const parsed = type.startsWith('application/json') ? JSON.parse(text) : text;
    openapi ??= await (await fetch(`${url}/openapi.json`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
    const problems = checkResponse(openapi, method, path, res.status, type, parsed, true);
    if (problems.length)
      throw new Error(`response does not conform to /openapi.json:\n${problems.join('\n')}\n${text.slice(0, 500)}`);
    return { status: res.status, headers: res.headers, body: parsed };
  };
  return call;
}
