/**
 * Whole-world failures of the feed through the real pipeline (FR24-compatible server, MinIO, Spark): an
 * empty world and a collapsed one fail the run with a message saying what came back, and the newest
 * snapshot `run-answers` serves stays the one before; a degraded airports list is refused and gold keeps
 * joining with the previous version, which it records; a reference file with a wrong header fails gold.
 */
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveGoldSnapshot } from '../../driver/answers.js';
import { loadConfig, toConfig } from '../../driver/config.js';
import { createLogger } from '../../driver/logger.js';
import type { RunManifest } from '../../driver/manifest.js';
import { runPipeline } from '../../driver/pipeline.js';
import { listKeys } from '../../driver/s3.js';
import { PipelineSpark } from '../../driver/pipeline-spark.js';
import { pipelineStages } from '../../driver/stages.js';
import { startFr24Sim, writeSyntheticBronze, type Fr24Sim } from '../../extract/index.js';
import { s3Client } from '../../extract/s3.js';
import { AIRLINES_KEY, AIRPORTS_KEY, bronzeKey, referenceRejectedKey, referenceVersionKey } from '../../contracts/index.js';
import { runGold, runSilver } from '../../jobs/index.js';
import { SparkSession } from '../../spark/index.js';

const base = loadConfig();
const config = toConfig({ ...base.settings, STAGE_RETRIES: 1, FR24_RETRIES: 1 });
const s3 = s3Client(config.minio);
const bucket = config.minio.bucket;
const logger = createLogger({ level: 'warn', file: join(config.stackHome, 'logs', 'integrity-tests.log'), console: false });
let sim: Fr24Sim;
let second = 0;
// Far in the future: newer than any snapshot other test files leave in the shared test bucket.
const nextSnapshot = () => new Date(Date.UTC(2040, 0, 1, 0, 0, second++));

async function runOnce(wanted: Date, refreshReference = false, settings = config): Promise<RunManifest> {
  const spark = new PipelineSpark(settings.spark);
  try {
    return await runPipeline({
      snapshotTime: wanted, source: 'integrity-test', s3, bucket, logger,
      stagesFor: (snapshotTime) => pipelineStages({ config: settings, s3, spark, snapshotTime, fr24BaseUrl: sim.url, refreshReference }),
      stageRetries: 1, retryBaseMs: 200, stageDeadlineMs: config.schedule.stageDeadlineMs, signal: new AbortController().signal,
    });
  } finally {
    await spark.close();
  }
}

let good: Date;
let goodUnknownOrigins: number;

beforeAll(async () => {
  sim = await startFr24Sim({ flights: 3000, seed: 11 });
  // A fresh fetch of the reference data: its version is the one later runs must keep using.
  const run = await runOnce(nextSnapshot(), true);
  expect(run.status, run.errors.join('; ')).toBe('succeeded');
  good = new Date(run.snapshotTime);
  goodUnknownOrigins = (run.stages.gold.details as { unknownOriginAirport: number }).unknownOriginAirport;
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

describe('a feed that ignores the box bounds', () => {
  it('stops at the request budget, is not retried, and the manifest records the budget and the deadline', async () => {
    const bounded = toConfig({ ...base.settings, STAGE_RETRIES: 1, FR24_RETRIES: 1, FR24_REQUEST_BUDGET: 30 });
    sim.setView({ ignoreBounds: true });
    sim.resetCounts();
    try {
      const run = await runOnce(nextSnapshot(), false, bounded);
      expect(run.status).toBe('failed');
      // One attempt although STAGE_RETRIES allows two: the same feed would spend the next budget the same way.
      expect(run.stages.extract.attempts).toBe(1);
      expect(sim.requestCounts().feed).toBe(30);
      expect(run.errors[0]).toMatch(/^extract: request budget of 30 spent .*the feed seems to ignore the bounds.*nothing is published$/);
      expect(run.stages.extract.details).toMatchObject({ feed: sim.url, bounds: { requestBudget: 30, deadlineMs: bounded.fr24.bounds.deadlineMs } });
      expect(await listKeys(s3, bucket, bronzeKey(new Date(run.snapshotTime)))).toEqual([]);
      expect((await resolveGoldSnapshot(s3, bucket)).snapshotTime).toEqual(good);
    } finally {
      sim.setView({});
    }
  });
});

const text = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
const versionOf = async (key: string) => (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).Metadata?.version;

describe('reference data versions', () => {
  it('a degraded airports fetch (3 rows, no coordinates) is refused and kept aside; gold still joins the previous version', async () => {
    const previous = referenceVersionKey('airports', good);
    expect(await versionOf(AIRPORTS_KEY)).toBe(previous);
    const before = await text(previous);
    sim.setFaults([{ kind: 'degraded', endpoints: ['airports'] }]);
    try {
      const run = await runOnce(nextSnapshot(), true);
      const snapshotTime = new Date(run.snapshotTime);
      expect(run.status, run.errors.join('; ')).toBe('succeeded');
      const extract = run.stages.extract.details as { referenceRejected: Array<{ what: string; key: string; reason: string }>; referenceVersions: Record<string, string> };
      expect(extract.referenceRejected).toEqual([
        { what: 'airports', key: referenceRejectedKey('airports', snapshotTime), reason: expect.stringMatching(/^3 airports where the stored version has \d+ \(less than 50 %\)$/) },
      ]);
      expect(extract.referenceVersions).toEqual({ airports: previous, airlines: referenceVersionKey('airlines', snapshotTime) });
      // Kept aside as fetched, not used: the current file and its version are unchanged.
      expect((await text(referenceRejectedKey('airports', snapshotTime))).trim().split('\n')).toHaveLength(4);
      expect(await versionOf(AIRPORTS_KEY)).toBe(previous);
      expect(await text(AIRPORTS_KEY)).toBe(before);
      // Gold records the versions it joined with, and found the airports of the flights as before.
      const gold = run.stages.gold.details as { reference: Record<string, string>; unknownOriginAirport: number };
      expect(gold.reference).toEqual({ airports: previous, airlines: referenceVersionKey('airlines', snapshotTime) });
      expect(gold.unknownOriginAirport).toBe(goodUnknownOrigins);
    } finally {
      sim.setFaults([]);
    }
  });

  it('a reference file whose header is not the extractor\'s fails gold naming the header it must have', async () => {
    // Jobs run directly, outside the pipeline's claims: a time of its own, apart from the runs above.
    const snapshotTime = new Date(Date.UTC(2041, 0, 1) + (Date.now() % 86_400_000));
    snapshotTime.setUTCMilliseconds(0);
    const swapped = `_tests/integrity-${Date.now()}/airports.csv`;
    const current = await text(AIRPORTS_KEY);
    // latitude and longitude swapped in the header: read by position, every airport would move.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: swapped, Body: current.replace('latitude,longitude', 'longitude,latitude') }));
    await writeSyntheticBronze(2000, 4, config.minio, bronzeKey(snapshotTime), { snapshotTime });
    const spark = await SparkSession.builder().remote(config.spark.connectUrl).connectTimeoutMs(60_000).getOrCreate();
    try {
      await runSilver(spark, { bucket, snapshotTime });
      const error = await runGold(spark, { bucket, snapshotTime, reference: { airports: swapped, airlines: AIRLINES_KEY } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^gold: cannot read reference data: .*airports\.csv: its header must be exactly: iata,icao,name,latitude,longitude,altitude,country/);
    } finally {
      await spark.stop().catch(() => undefined);
    }
  });
});
