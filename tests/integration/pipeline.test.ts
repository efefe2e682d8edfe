import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../driver/config.js';
import { createLogger } from '../../driver/logger.js';
import { manifestKey } from '../../contracts/index.js';
import { RunManifest } from '../../driver/manifest.js';
import { runPipeline, type Stage } from '../../driver/pipeline.js';
import { createS3Client, deletePrefix } from '../../driver/s3.js';

// The orchestration contract on the real MinIO, with stages that do simple, checkable S3 work.
const config = loadConfig();
const s3 = createS3Client(config.minio);
const bucket = config.minio.bucket;
const logger = createLogger({ level: 'error', file: '/tmp/fr-pipeline-test.log', console: false });

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!);
}

function writingStage(name: Stage['name'], prefix: string, failuresBeforeSuccess: number): Stage & { cleaned: number } {
  let attempts = 0;
  const stage = {
    name,
    cleaned: 0,
    async run() {
      attempts++;
      // A half-done attempt leaves a part file behind before it fails, as a crashed writer would.
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}part-${attempts}`, Body: 'x' }));
      if (attempts <= failuresBeforeSuccess) throw new Error(`${name} attempt ${attempts} failed`);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}_SUCCESS`, Body: '{}' }));
      return { rowsOut: attempts * 10, outputs: [`s3a://${bucket}/${prefix}`] };
    },
    async clean() {
      stage.cleaned++;
      await deletePrefix(s3, bucket, prefix);
    },
  };
  return stage;
}

describe('pipeline orchestration', () => {
  it('retries a failing stage, cleans before each retry and records the run in its manifest', async () => {
    const snapshotTime = new Date(Date.UTC(2031, 0, 2, 3, 4, 5));
    const base = `_tests/pipeline-${Date.now()}/`;
    const extract = writingStage('extract', `${base}a/`, 0);
    const silver = writingStage('silver', `${base}b/`, 2);
    const gold = writingStage('gold', `${base}c/`, 0);
    const manifest = await runPipeline({
      snapshotTime, source: 'test', stages: [extract, silver, gold], s3, bucket, logger,
      stageRetries: 3, retryBaseMs: 10, signal: new AbortController().signal,
    });
    expect(manifest.status).toBe('succeeded');
    expect(manifest.stages.silver.attempts).toBe(3);
    expect(manifest.stages.silver.errors).toHaveLength(2);
    expect(silver.cleaned).toBe(2);
    // Only the successful attempt's output is left.
    expect((await keysUnder(`${base}b/`)).sort()).toEqual([`${base}b/_SUCCESS`, `${base}b/part-3`]);

    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey(snapshotTime) }));
    const parsed = RunManifest.parse(JSON.parse(await stored.Body!.transformToString()));
    expect(parsed.runId).toBe('run_20310102030405');
    expect(parsed.stages.gold.status).toBe('succeeded');
    expect(parsed.stages.silver.rowsOut).toBe(30);
    expect(parsed.stages.extract.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a stage that finally fails leaves no output, skips the rest and marks the run failed', async () => {
    const snapshotTime = new Date(Date.UTC(2031, 0, 2, 3, 4, 6));
    const base = `_tests/pipeline-fail-${Date.now()}/`;
    const silver = writingStage('silver', `${base}b/`, 99);
    const gold = writingStage('gold', `${base}c/`, 0);
    const manifest = await runPipeline({
      snapshotTime, source: 'test', stages: [writingStage('extract', `${base}a/`, 0), silver, gold], s3, bucket, logger,
      stageRetries: 1, retryBaseMs: 10, signal: new AbortController().signal,
    });
    expect(manifest.status).toBe('failed');
    expect(manifest.stages.silver.status).toBe('failed');
    expect(manifest.stages.gold.status).toBe('skipped');
    expect(manifest.errors[0]).toContain('silver attempt 2 failed');
    expect(await keysUnder(`${base}b/`)).toEqual([]);
    expect(await keysUnder(`${base}c/`)).toEqual([]);
  });
});
