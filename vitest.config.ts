import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: false,
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // names the run's PostgreSQL directory; the server starts only when a test asks for a database
    globalSetup: ['test/support/postgres-global.ts'],
  },
});
