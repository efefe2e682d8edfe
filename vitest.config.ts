import { defineConfig } from 'vitest/config';

// Four projects, run in this order by `make test`:
//  unit         pure TypeScript, no services;
//  stack        brings the local stack up and down itself (lifecycle checks);
//  integration  needs the running stack (MinIO + Spark cluster + Connect), started once by globalSetup;
//  docker       the compose-hosted cluster through testcontainers; needs a Docker engine and compose v2
//               (`make test` skips it, saying so, when none answers).
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
      {
        test: {
          name: 'docker',
          include: ['tests/docker/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
          fileParallelism: false,
          // No Ryuk (its image cannot be pulled everywhere): the tests remove their own containers. This
          // host may itself look like a container (/.dockerenv); mapped ports are on localhost.
          env: { TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: 'localhost' },
        },
      },
    ],
  },
});
