import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, toConfig } from '../../driver/config.js';
import { createLogger } from '../../driver/logger.js';
import type { RunManifest } from '../../driver/manifest.js';
import { runPipeline, type Stage } from '../../driver/pipeline.js';
import { s3Client } from '../../extract/s3.js';
import { RunSpark } from '../../driver/run-spark.js';
import { pipelineStages } from '../../driver/stages.js';
import { startFr24Sim, writeSyntheticBronze, type Fr24Sim } from '../../extract/index.js';
import { runGold, runSilver } from '../../jobs/index.js';
import { bronzeKey, silverKey } from '../../contracts/index.js';
import { SparkSession } from '../../spark/index.js';
import { masterState, minioReady, stackCommand, stackPid } from '../support/stack.js';

// Real faults on real processes of the local stack; each test puts the stack back as it found it (scale=2).
const base = loadConfig();
const config = toConfig({ ...base.settings, STAGE_RETRIES: 1 });
const s3 = s3Client(config.minio);
const bucket = config.minio.bucket;
const logger = createLogger({ level: 'warn', file: join(config.stackHome, 'logs', 'fault-tests.log'), console: false });
let sim: Fr24Sim;
let second = 0;

const pidOf = stackPid;
/** Kills a daemon of the stack and everything it started (a worker takes its executor with it). */
const kill = (name: string, signal: NodeJS.Signals = 'SIGKILL') => process.kill(-pidOf(name), signal);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Stops a daemon and waits until it is gone, so `make up` afterwards starts a fresh one. */
async function stopAndWait(name: string, signal: NodeJS.Signals): Promise<void> {
  const pid = pidOf(name);
  kill(name, signal);
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 200));
}
let restartedConnect = false;
const nextSnapshot = () => new Date(Date.UTC(2032, 5, 1, 12, 0, second++));

async function runOnce(wanted: Date, wrap: (stages: Stage[]) => Stage[] = (s) => s): Promise<RunManifest> {
  const spark = new RunSpark(config.spark);
  try {
    return await runPipeline({
      snapshotTime: wanted, source: 'fault-test', s3, bucket, logger,
      stagesFor: (snapshotTime) => wrap(pipelineStages({ config, s3, spark, snapshotTime, fr24BaseUrl: sim.url })),
      stageRetries: 1, retryBaseMs: 500, stageDeadlineMs: 240_000, signal: new AbortController().signal,
    });
  } finally {
    await spark.close();
  }
}

async function visibleKeys(prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!).filter((k) => !k.includes('__magic'));
}

beforeAll(async () => {
  sim = await startFr24Sim({ flights: 3000, seed: 5 });
});
afterAll(async () => {
  await sim?.close();
  await stackCommand('up', '2');
});

describe('fault recovery on the real stack', () => {
  it('MinIO stopped during silver: the run fails, leaves no visible output, and the next run succeeds', async () => {
    let faultAt = 0;
    const failed = await runOnce(nextSnapshot(), (stages) =>
      stages.map((stage) =>
        stage.name !== 'silver' ? stage : {
          ...stage,
          run: (signal, log, runId) => {
            if (!faultAt) setTimeout(() => { faultAt = Date.now(); kill('minio', 'SIGKILL'); }, 300);
            return stage.run(signal, log, runId);
          },
        },
      ),
    );
    expect(failed.status).toBe('failed');
    expect(failed.stages.silver.status).toBe('failed');
    expect(failed.stages.gold.status).toBe('skipped');

    await stackCommand('up', '2');
    expect(await minioReady()).toBe(true);
    // Nothing of the failed silver write is visible: no _SUCCESS, no part files.
    expect(await visibleKeys(silverKey(new Date(failed.snapshotTime)))).toEqual([]);

    const next = await runOnce(nextSnapshot());
    expect(next.status).toBe('succeeded');
    console.info(`MinIO fault → next run succeeded after ${((Date.now() - faultAt) / 1000).toFixed(1)} s`);
  });

  it('a worker killed in the middle of a job: the job still succeeds on the other worker', async () => {
    expect((await masterState()).workers.filter((w) => w.state === 'ALIVE')).toHaveLength(2);
    const snapshotTime = nextSnapshot();
    await writeSyntheticBronze(400_000, 3, { ...config.minio }, bronzeKey(snapshotTime), { snapshotTime });
    const spark = await SparkSession.builder().remote(config.spark.connectUrl).connectTimeoutMs(60_000).getOrCreate();
    try {
      const started = Date.now();
      const job = runSilver(spark, { bucket, snapshotTime });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      kill('worker-2');
      const silver = await job;
      expect(silver.bronzeRows).toBe(silver.silverRows + silver.quarantinedRows + silver.duplicatesRemoved);
      const gold = await runGold(spark, { bucket, snapshotTime });
      expect(gold.goldRows).toBe(silver.silverRows);
      console.info(`worker killed 2.5 s in → silver+gold done ${((Date.now() - started) / 1000).toFixed(1)} s after start`);
    } finally {
      await spark.stop().catch(() => undefined);
      await stackCommand('up', '2');
    }
  });

  it('the Spark Connect server restarted between runs: the next run reconnects', async () => {
    expect((await runOnce(nextSnapshot())).status).toBe('succeeded');
    const restarted = Date.now();
    await stopAndWait('connect', 'SIGTERM');
    await stackCommand('up', '2');
    const next = await runOnce(nextSnapshot());
    expect(next.status).toBe('succeeded');
    expect(next.stages.silver.attempts).toBeGreaterThanOrEqual(1);
    console.info(`Connect restart → next run succeeded ${((Date.now() - restarted) / 1000).toFixed(1)} s after the restart began`);
  });

  it('the Spark Connect server restarted between silver and gold of one run: gold retries on a new session', async () => {
    const run = await runOnce(nextSnapshot(), (stages) =>
      stages.map((stage) =>
        stage.name !== 'gold' ? stage : {
          ...stage,
          run: async (signal, log, runId) => {
            // Only before the first attempt: the run's session, opened by silver, is gone on the restarted server.
            if (!restartedConnect) {
              restartedConnect = true;
              await stopAndWait('connect', 'SIGTERM');
              await stackCommand('up', '2');
            }
            return stage.run(signal, log, runId);
          },
        },
      ),
    );
    expect(run.status).toBe('succeeded');
    expect(restartedConnect).toBe(true);
    expect(run.stages.silver.attempts).toBe(1);
    expect(run.stages.gold.rowsOut).toBe(run.stages.silver.rowsOut);
    console.info(`Connect restart between silver and gold → gold succeeded in ${run.stages.gold.attempts} attempt(s)`);
  });
});
