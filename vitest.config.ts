import { defineConfig } from 'vitest/config';

// Three projects, run in this order by `make test`:
//  unit         pure TypeScript, no services;
//  stack        brings the local stack up and down itself (lifecycle checks);
//  integration  needs the running stack (MinIO + Spark cluster + Connect), started once by globalSetup.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: {
          name: 'stack',
          include: ['tests/stack/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/integration/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // One shared cluster with 2 cores: files run one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
