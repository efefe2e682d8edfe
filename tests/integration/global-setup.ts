/**
 * Integration tests run against the real local stack: bring it up with two workers (unless it already runs),
 * point the tests at a bucket of their own (so a developer's snapshots, runs and `make status` stay clean),
 * export the settings to the test workers, and stop the stack afterwards only if this run started it.
 */
import { formatEnv, loadConfig } from '../../driver/config.js';
import { make, stackProcesses } from '../support/stack.js';

export default async function setup(): Promise<() => Promise<void>> {
  const wasRunning = (await stackProcesses()).length > 0;
  // make up creates the tests' bucket and grants it to the pipeline's MinIO user (which may not create buckets).
  process.env.MINIO_BUCKET ??= `${loadConfig().minio.bucket}-test`;
  // TEST_SCALE: fewer workers on a machine shared with other stacks.
  await make('up', `scale=${process.env.TEST_SCALE ?? 2}`);
  const config = loadConfig();
  for (const line of formatEnv(config.settings).split('\n')) {
    const name = line.slice(0, line.indexOf('='));
    process.env[name] ??= String(config.settings[name as keyof typeof config.settings]);
  }
  // The tests that connect by URL alone carry the Connect token in it (the client sends it as a bearer header).
  process.env.SPARK_CONNECT_URL = config.spark.connectUrl;
  return async () => {
    if (!wasRunning || process.env.CI) await make('down');
  };
}
