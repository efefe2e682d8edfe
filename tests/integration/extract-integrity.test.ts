/**
 * Whole-world failures of the feed through the real pipeline (FR24-compatible server, MinIO, Spark): an
 * empty world and a collapsed one fail the run with a message saying what came back, and the newest
 * snapshot `run-answers` serves stays the one before.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveGoldSnapshot } from '../../driver/answers.js';
import { loadConfig, toConfig } from '../../driver/config.js';
import { createLogger } from '../../driver/logger.js';
import type { RunManifest } from '../../driver/manifest.js';
import { runPipeline } from '../../driver/pipeline.js';
import { listKeys } from '../../driver/s3.js';
import { RunSpark } from '../../driver/run-spark.js';
import { pipelineStages } from '../../driver/stages.js';
import { startFr24Sim, type Fr24Sim } from '../../extract/index.js';
import { s3Client } from '../../extract/s3.js';
import { bronzeKey } from '../../contracts/index.js';

const base = loadConfig();
const config = toConfig({ ...base.settings, STAGE_RETRIES: 1, FR24_RETRIES: 1 });
const s3 = s3Client(config.minio);
const bucket = config.minio.bucket;
const logger = createLogger({ level: 'warn', file: join(config.stackHome, 'logs', 'integrity-tests.log'), console: false });
let sim: Fr24Sim;
let second = 0;
// Far in the future: newer than any snapshot other test files leave in the shared test bucket.
const nextSnapshot = () => new Date(Date.UTC(2040, 0, 1, 0, 0, second++));

async function runOnce(wanted: Date): Promise<RunManifest> {
  const spark = new RunSpark(config.spark);
  try {
    return await runPipeline({
      snapshotTime: wanted, source: 'integrity-test', s3, bucket, logger,
      stagesFor: (snapshotTime) => pipelineStages({ config, s3, spark, snapshotTime, fr24BaseUrl: sim.url }),
      stageRetries: 1, retryBaseMs: 200, stageDeadlineMs: config.schedule.stageDeadlineMs, signal: new AbortController().signal,
    });
  } finally {
    await spark.close();
  }
}

let good: Date;

beforeAll(async () => {
  sim = await startFr24Sim({ flights: 3000, seed: 11 });
  const run = await runOnce(nextSnapshot());
  expect(run.status, run.errors.join('; ')).toBe('succeeded');
  good = new Date(run.snapshotTime);
  expect((await resolveGoldSnapshot(s3, bucket)).snapshotTime).toEqual(good);
});
afterAll(async () => {
  await sim?.close();
});

describe('an empty or collapsed world fails the run and leaves the newest snapshot as it was', () => {
  for (const [name, view, message] of [
    ['empty world (full_count 0)', { share: 0 }, /no flight came back from .*full_count 0.*cannot be empty \(full_count 0\)/],
    ['empty world (bare {})', { share: 0, bareEmpty: true }, /no flight came back from .*full_count absent.*cannot be empty \(no full_count/],
    ['collapsed world (a tenth)', { share: 0.1 }, /collapsed world: 300 flights came back .*fewer than 0.3 x the median 3000 of the last 1 snapshot/],
  ] as const) {
    it(name, async () => {
      sim.setView(view);
      try {
        const started = Date.now();
        const run = await runOnce(nextSnapshot());
        const snapshotTime = new Date(run.snapshotTime);
        const seconds = (Date.now() - started) / 1000;
        expect(run.status).toBe('failed');
        expect(run.stages.extract.status).toBe('failed');
        expect(run.stages.extract.attempts).toBe(2);
        expect(run.stages.silver.status).toBe('skipped');
        expect(run.errors[0]).toMatch(message);
        // Nothing of the failed run is left, and run-answers still serves the good snapshot.
        expect(await listKeys(s3, bucket, bronzeKey(snapshotTime))).toEqual([]);
        expect((await resolveGoldSnapshot(s3, bucket)).snapshotTime).toEqual(good);
        console.info(`${name}: run failed after ${seconds.toFixed(1)} s: ${run.errors[0]}`);
      } finally {
        sim.setView({});
      }
    });
  }
});
