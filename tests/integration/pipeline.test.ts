import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../driver/config.js';
import { createLogger } from '../../driver/logger.js';
import { manifestKey } from '../../contracts/index.js';
import { RunManifest } from '../../driver/manifest.js';
import { runPipeline, type Stage } from '../../driver/pipeline.js';
import { sleep } from '../../driver/retry.js';
import { deletePrefix } from '../../driver/s3.js';
import { s3Client } from '../../extract/s3.js';
import { RowAccountingError } from '../../jobs/index.js';
import { layerKey, type Layer } from '../../contracts/index.js';
import { SparkAnalysisError, SparkSession } from '../../spark/index.js';
import { freshBucket } from '../support/jobs-s3.js';

// The orchestration contract on the real MinIO (and the real cluster for a real analysis error), with stages
// that do simple, checkable S3 work under the snapshot's own keys.
const config = loadConfig();
const s3 = s3Client(config.minio);
let bucket: string;
const logger = createLogger({ level: 'error', file: '/tmp/fr-pipeline-test.log', console: false });

beforeAll(async () => {
  bucket = await freshBucket(s3, 'pipeline-test');
});
afterAll(async () => {
  if (bucket) await deletePrefix(s3, bucket, '');
});

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!);
}

async function readText(key: string): Promise<string> {
  return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
}

/** The same stage, taking at least `ms` longer: a known minimum for the duration the manifest records. */
function slow<S extends Stage>(stage: S, ms: number): S {
  return { ...stage, run: async (...args: Parameters<Stage['run']>) => (await sleep(ms), stage.run(...args)) };
}

/** A failure that a retry can fix, as the network gives it. */
const transient = (message: string) => Object.assign(new Error(message), { code: 'ECONNRESET' });

const layerOf: Record<Stage['name'], Layer> = { extract: 'bronze', silver: 'silver', gold: 'gold' };

/** A stage writing `part-N` and `_SUCCESS` under its layer's key of the snapshot; `fail(attempt)` may throw first. */
function writingStage(name: Stage['name'], snapshotTime: Date, fail: (attempt: number) => Error | undefined = () => undefined) {
  let attempts = 0;
  const prefix = `${layerKey(layerOf[name], snapshotTime)}${name === 'extract' ? '/' : ''}`;
  const stage = {
    name,
    prefix,
    cleaned: 0,
    async run() {
      attempts++;
      // A half-done attempt leaves a part file behind before it fails, as a crashed writer would.
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}part-${attempts}`, Body: 'x' }));
      const error = fail(attempts);
      if (error) throw error;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}_SUCCESS`, Body: '{}' }));
      return { rowsOut: attempts * 10, outputs: [`s3a://${bucket}/${prefix}`] };
    },
    async clean() {
      stage.cleaned++;
      await deletePrefix(s3, bucket, prefix);
    },
  } satisfies Stage & Record<string, unknown>;
  return stage;
}

const options = { s3, logger, source: 'test', stageRetries: 3, retryBaseMs: 10, stageDeadlineMs: 120_000, signal: new AbortController().signal };
let nextSecond = 0;
/** A time no other test (or earlier run of this file, thanks to the fresh bucket) has used. */
const freshTime = () => new Date(Date.UTC(2031, 0, 2, 3, 4, (nextSecond += 10)));

describe('pipeline orchestration', () => {
  it('retries a transient failure, cleans before each retry and records the run in its manifest', async () => {
    const wanted = freshTime();
    const made: Record<string, ReturnType<typeof writingStage>> = {};
    const before = Date.now();
    const manifest = await runPipeline({
      ...options, bucket, snapshotTime: wanted,
      stagesFor: (t) => [
        (made.extract = slow(writingStage('extract', t), 320)),
        (made.silver = writingStage('silver', t, (n) => (n <= 2 ? transient(`silver attempt ${n} failed`) : undefined))),
        (made.gold = writingStage('gold', t)),
      ],
    });
    const after = Date.now();
    expect(manifest.status).toBe('succeeded');
    expect(manifest.snapshotTime).toBe(wanted.toISOString());
    expect(manifest.runId).toMatch(/^run_20310102030\d{3}_[0-9a-f]{6}$/);
    expect(manifest.stages.silver.attempts).toBe(3);
    expect(manifest.stages.silver.errors).toHaveLength(2);
    expect(made.silver!.cleaned).toBe(2);
    // Only the successful attempt's output is left.
    expect((await keysUnder(made.silver!.prefix)).sort()).toEqual([`${made.silver!.prefix}_SUCCESS`, `${made.silver!.prefix}part-3`]);

    const parsed = RunManifest.parse(JSON.parse(await readText(manifestKey(wanted))));
    expect(parsed.runId).toBe(manifest.runId);
    expect(parsed.status).toBe('succeeded');
    expect(parsed.stages.silver.rowsOut).toBe(30);
    // The recorded times are the stage's own: extract slept 320 ms (a timer may fire a few ms early), all of
    // it inside the wall time measured here around the run, and the run lasted at least its stages together.
    const extract = parsed.stages.extract;
    const [startedAt, endedAt] = [Date.parse(extract.startedAt ?? ''), Date.parse(extract.endedAt ?? '')];
    expect(extract.durationMs).toBeGreaterThanOrEqual(300);
    expect(extract.durationMs).toBeLessThanOrEqual(after - before);
    expect(startedAt).toBeGreaterThanOrEqual(before);
    expect(endedAt).toBeLessThanOrEqual(after);
    expect(Math.abs(endedAt - startedAt - (extract.durationMs ?? NaN))).toBeLessThanOrEqual(2);
    const stagesMs = (['extract', 'silver', 'gold'] as const).map((name) => parsed.stages[name].durationMs ?? NaN);
    expect(parsed.durationMs).toBeGreaterThanOrEqual(stagesMs.reduce((a, b) => a + b, 0));
    expect(parsed.durationMs).toBeLessThanOrEqual(after - before);
  });

  it('a stage that keeps failing transiently leaves no output, skips the rest and marks the run failed', async () => {
    const made: Record<string, ReturnType<typeof writingStage>> = {};
    const manifest = await runPipeline({
      ...options, bucket, snapshotTime: freshTime(), stageRetries: 1,
      stagesFor: (t) => [
        writingStage('extract', t),
        (made.silver = writingStage('silver', t, (n) => transient(`silver attempt ${n} failed`))),
        (made.gold = writingStage('gold', t)),
      ],
    });
    expect(manifest.status).toBe('failed');
    expect(manifest.stages.silver.status).toBe('failed');
    expect(manifest.stages.silver.attempts).toBe(2);
    expect(manifest.stages.gold.status).toBe('skipped');
    expect(manifest.errors[0]).toContain('silver attempt 2 failed');
    expect(await keysUnder(made.silver!.prefix)).toEqual([]);
    expect(await keysUnder(made.gold!.prefix)).toEqual([]);
  });

  it('two runs of the same second, and a run after the clock stepped back, each get their own snapshot; none is touched', async () => {
    const wanted = freshTime();
    const stagesOf: Record<string, Stage[]> = {};
    const run = (label: string, fail?: () => Error) =>
      runPipeline({
        ...options, bucket, snapshotTime: wanted,
        stagesFor: (t) => (stagesOf[label] = [writingStage('extract', t), writingStage('silver', t, fail), writingStage('gold', t)]),
      });
    const [a, b] = await Promise.all([run('a'), run('b')]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    expect(a.runId).not.toBe(b.runId);
    expect(new Set([a.snapshotTime, b.snapshotTime]).size).toBe(2);
    const before = await keysUnder('');
    const manifestsBefore = await Promise.all([a, b].map((m) => readText(manifestKey(new Date(m.snapshotTime)))));

    // The clock stepped back to the same second: this run fails (for good), and its clean-up must not reach them.
    const c = await run('c', () => new RowAccountingError('gold 3 rows for 4 silver rows'));
    expect(c.status).toBe('failed');
    expect([a.snapshotTime, b.snapshotTime]).not.toContain(c.snapshotTime);
    for (const key of before) expect(await keysUnder(key), key).toEqual([key]);
    expect(await Promise.all([a, b].map((m) => readText(manifestKey(new Date(m.snapshotTime)))))).toEqual(manifestsBefore);
  });

  it('a snapshot time that already has data (from any writer) is never claimed', async () => {
    const wanted = freshTime();
    const stray = `${layerKey('gold', wanted)}part-00000.parquet`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: stray, Body: 'not ours' }));
    const manifest = await runPipeline({ ...options, bucket, snapshotTime: wanted, stagesFor: (t) => [writingStage('gold', t)] });
    expect(manifest.status).toBe('succeeded');
    expect(manifest.snapshotTime).toBe(new Date(wanted.getTime() + 1000).toISOString());
    expect(await readText(stray)).toBe('not ours');
  });

  it('row accounting and a real Spark analysis error fail the stage at once, with their reason, without a retry', async () => {
    const spark = await SparkSession.builder().remote(config.spark.connectUrl).connectTimeoutMs(config.spark.connectTimeoutMs).getOrCreate();
    try {
      const analysis: Stage = {
        name: 'silver',
        run: async () => {
          await spark.range(1).select('no_such_column').collect();
          return { outputs: [] };
        },
        clean: async () => undefined,
      };
      const failedAnalysis = await runPipeline({ ...options, bucket, snapshotTime: freshTime(), stagesFor: () => [analysis] });
      expect(failedAnalysis.status).toBe('failed');
      expect(failedAnalysis.stages.silver.attempts).toBe(1);
      expect(failedAnalysis.errors[0]).toMatch(/no_such_column/);

      let caught: unknown;
      await spark.range(1).select('no_such_column').collect().catch((e: unknown) => (caught = e));
      expect(caught).toBeInstanceOf(SparkAnalysisError);
    } finally {
      await spark.stop();
    }

    const accounting = await runPipeline({
      ...options, bucket, snapshotTime: freshTime(),
      stagesFor: (t) => [writingStage('gold', t, () => new RowAccountingError('gold 3 rows for 4 silver rows'))],
    });
    expect(accounting.stages.gold.attempts).toBe(1);
    expect(accounting.errors[0]).toBe('gold: gold 3 rows for 4 silver rows');
  });

  it('a stage still running at its deadline is interrupted and fails naming what the stack lacks', async () => {
    const started = Date.now();
    let sawAbort = false;
    const hanging: Stage = {
      name: 'silver',
      run: (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new Error('query interrupted'));
          }),
        ),
      clean: async () => undefined,
    };
    const manifest = await runPipeline({
      ...options, bucket, snapshotTime: freshTime(), stageDeadlineMs: 1_500,
      diagnose: async () => ['no ALIVE worker at the Spark master http://127.0.0.1:1/json/'],
      stagesFor: () => [hanging],
    });
    expect(sawAbort).toBe(true);
    expect(manifest.status).toBe('failed');
    expect(manifest.errors[0]).toMatch(/silver passed its deadline of 2 s .*no ALIVE worker/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
