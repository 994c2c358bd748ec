/**
 * vitest globalSetup for the PostgreSQL tests: names one directory for this vitest run in which
 * the first test process that asks for a database starts the run's only PostgreSQL server
 * (test/support/postgres.ts), and stops that server when the run ends. Runs that never ask for a
 * database start nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopServer } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresRunDir: string;
  }
}

export default function setup(project: TestProject): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rebalancer-pg-'));
  writeFileSync(join(dir, 'owner'), String(process.pid));
  project.provide('postgresRunDir', dir);
  return async () => {
    await stopServer(dir);
    rmSync(dir, { recursive: true, force: true });
  };
}
