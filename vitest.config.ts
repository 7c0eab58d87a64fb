import { defineConfig } from 'vitest/config';

// Tests sit beside the code (`*.test.ts`). They drive real interpreters,
// real SQLite files and a real browser, so they get generous timeouts and
// run a few files at a time on this 2-core machine.
export default defineConfig({
  test: {
    include: ['{cli,harness,agents,server,web,suites}/**/*.test.ts'],
    // One private PostgreSQL cluster per run, for the tests that run on both backends.
    globalSetup: ['server/store/postgres/test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
