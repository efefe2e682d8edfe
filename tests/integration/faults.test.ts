import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, toConfig } from '../../driver/config.js';
import { createLogger } from '../../driver/logger.js';
import type { RunManifest } from '../../driver/manifest.js';
import { runPipeline, type Stage } from '../../driver/pipeline.js';
import { s3Client } from '../../extract/s3.js';
import { PipelineSpark } from '../../driver/pipeline-spark.js';
import { pipelineStages } from '../../driver/stages.js';
import { startFr24Sim, writeSyntheticBronze, type Fr24Sim } from '../../extract/index.js';
import { runGold, runSilver } from '../../jobs/index.js';
import { bronzeKey, silverKey } from '../../contracts/index.js';
import { F, SparkSession } from '../../spark/index.js';
import { present } from '../support/present.js';
import {
  connectApplication, driverApi, driverExecutors, masterState, minioReady, pollFor, skipUnlessLocalStack, sparkUiTime, stackCommand, stackPid, workerExecutors,
} from '../support/stack.js';

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
  const gone = await pollFor(async () => (alive(pid) ? undefined : true), { timeoutMs: 60_000, everyMs: 200 });
  if (!gone) throw new Error(`${name} (pid ${pid}) still runs 60 s after ${signal}`);
}
let restartedConnect = false;

/**
 * Stops the Connect server and starts it again; the master must then list a new application for it (a new Spark
 * driver, not the old one reconnected) and the old one as completed.
 */
async function restartConnect(oldApp: string): Promise<string> {
  await stopAndWait('connect', 'SIGTERM');
  await stackCommand('up', '2');
  const newApp = present(
    await pollFor(
      async () => {
        const app = await connectApplication();
        return app === oldApp ? undefined : app;
      },
      { timeoutMs: 60_000 },
    ),
    'a new Connect application at the master within 60 s of the restart',
  );
  expect(newApp).not.toBe(oldApp);
  expect((await masterState()).completedapps.map((app) => app.id)).toContain(oldApp);
  return newApp;
}

/** How many Spark jobs application `appId` has completed successfully, from its driver's UI. */
async function succeededJobs(appId: string): Promise<number> {
  return ((await (await fetch(`${await driverApi(appId)}/jobs?status=succeeded`)).json()) as unknown[]).length;
}
const nextSnapshot = () => new Date(Date.UTC(2032, 5, 1, 12, 0, second++));

/** One run on a session of its own, or on `kept`, the session of earlier runs (as run-main's schedule keeps it). */
async function runOnce(wanted: Date, wrap: (stages: Stage[]) => Stage[] = (s) => s, kept?: PipelineSpark): Promise<RunManifest> {
  const spark = kept ?? new PipelineSpark(config.spark);
  spark.startRun();
  try {
    return await runPipeline({
      snapshotTime: wanted, source: 'fault-test', s3, bucket, logger,
      stagesFor: (snapshotTime) => wrap(pipelineStages({ config, s3, spark, snapshotTime, fr24BaseUrl: sim.url })),
      stageRetries: 1, retryBaseMs: 500, stageDeadlineMs: 240_000, signal: new AbortController().signal,
    });
  } finally {
    if (!kept) await spark.close();
  }
}

/**
 * The objects under `prefix` that hold data: not the committer's pending `__magic` uploads, and not the empty
 * directory marker (a zero-byte `…/` key) that S3A leaves when the write created the output directory before
 * MinIO went down — it holds nothing, and readers go by `_SUCCESS`.
 */
async function visibleKeys(prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const directoryMarker = (o: { Key?: string; Size?: number }) => o.Key!.endsWith('/') && !o.Size;
  return (page.Contents ?? []).filter((o) => !directoryMarker(o)).map((o) => o.Key!).filter((k) => !k.includes('__magic'));
}

// The faults are real processes of the local stack killed by their pid files: on another kind, skipped, saying so.
// Each test runs whole pipelines through a fault and a recovery: on a loaded 2-core machine that took up to 270 s.
const timeout = 600_000;
describe.skipIf(skipUnlessLocalStack('tests/integration/faults.test.ts'))('fault recovery on the real stack', { timeout }, () => {
  beforeAll(async () => {
    sim = await startFr24Sim({ flights: 3000, seed: 5 });
  });
  afterAll(async () => {
    await sim?.close();
    await stackCommand('up', '2');
  });

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

  it('a worker killed while its executor runs tasks of a job: the driver loses that executor, the job still writes every row', async () => {
    expect((await masterState()).workers.filter((w) => w.state === 'ALIVE')).toHaveLength(2);
    const snapshotTime = nextSnapshot();
    // The oracle: what the generator planted (rows, unreadable ones, ids with a readable row), not what silver says.
    const planted = await writeSyntheticBronze(400_000, 3, { ...config.minio }, bronzeKey(snapshotTime), { snapshotTime });
    expect(planted.malformedRows).toBeGreaterThan(0);
    expect(planted.rows - planted.malformedRows).toBeGreaterThan(planted.readableIds);
    const spark = await SparkSession.builder().remote(config.spark.connectUrl).connectTimeoutMs(60_000).getOrCreate();
    try {
      const appId = present(await pollFor(connectApplication, { timeoutMs: 60_000 }), 'the Connect application at the master');
      const driver = await driverApi(appId);
      const onWorker2 = await workerExecutors(2, appId);
      expect(onWorker2, 'worker-2 runs an executor of the Connect application').not.toEqual([]);

      const started = Date.now();
      let settled = false;
      const job = runSilver(spark, { bucket, snapshotTime });
      void job.finally(() => (settled = true)).catch(() => undefined);
      // Kill only once worker-2's executor runs tasks of this job (the only work of the application now).
      const busy = await pollFor(
        async () => (await driverExecutors(driver)).find((e) => onWorker2.includes(e.id) && e.isActive && e.activeTasks > 0),
        { timeoutMs: 180_000, stopIf: () => settled },
      );
      expect(settled, 'silver ended before worker-2 ran any of its tasks').toBe(false);
      const executor = present(busy, "a task of silver on worker-2's executor within 3 min");
      const killedAt = Date.now();
      kill('worker-2');

      const silver = await job;
      const endedAt = Date.now();
      // The driver lost that executor while the job ran, and the job still succeeded.
      const lost = present((await driverExecutors(driver)).find((e) => e.id === executor.id), `executor ${executor.id} at the driver`);
      expect(lost.isActive, JSON.stringify(lost)).toBe(false);
      expect(lost.removeReason, JSON.stringify(lost)).toMatch(/\S/);
      expect(sparkUiTime(lost.removeTime)).toBeGreaterThanOrEqual(killedAt - 1_000);
      expect(sparkUiTime(lost.removeTime)).toBeLessThanOrEqual(endedAt);

      // Complete and correct: every planted row accounted for as the world says, and the stored silver holds exactly
      // one row per id with a readable row.
      expect(silver.bronzeRows).toBe(planted.rows);
      expect(silver.quarantinedRows).toBe(planted.malformedRows);
      expect(silver.silverRows).toBe(planted.readableIds);
      expect(silver.duplicatesRemoved).toBe(planted.rows - planted.malformedRows - planted.readableIds);
      const [stored] = await spark.read.parquet(silver.silverPath).agg(F.count('*').alias('rows'), F.countDistinct('id').alias('ids')).collect();
      expect([Number(stored?.rows), Number(stored?.ids)]).toEqual([planted.readableIds, planted.readableIds]);
      const gold = await runGold(spark, { bucket, snapshotTime });
      expect(gold.goldRows).toBe(planted.readableIds);
      console.info(
        `worker-2 killed ${((killedAt - started) / 1000).toFixed(1)} s into silver with executor ${executor.id} running ` +
          `${executor.activeTasks} task(s) (removed: ${lost.removeReason}) → silver+gold done ${((Date.now() - started) / 1000).toFixed(1)} s after start`,
      );
    } finally {
      await spark.stop().catch(() => undefined);
      await stackCommand('up', '2');
    }
  });

  it('the Spark Connect server restarted between runs: a new Spark application serves the next run, on its first attempts', async () => {
    // The session run-main keeps between cycles: gone with the old server, replaced before the next run's first stage.
    const kept = new PipelineSpark(config.spark);
    try {
      expect((await runOnce(nextSnapshot(), undefined, kept)).status).toBe('succeeded');
      const restarted = Date.now();
      const oldApp = present(await connectApplication(), 'the Connect application at the master');
      const newApp = await restartConnect(oldApp);
      const next = await runOnce(nextSnapshot(), undefined, kept);
      expect([next.status, next.stages.silver.status, next.stages.gold.status]).toEqual(['succeeded', 'succeeded', 'succeeded']);
      expect([next.stages.silver.attempts, next.stages.gold.attempts]).toEqual([1, 1]);
      expect(next.stages.gold.rowsOut).toBe(next.stages.silver.rowsOut);
      // The run's Spark jobs ran in the new application.
      expect(await succeededJobs(newApp)).toBeGreaterThan(0);
      console.info(`Connect restart (${oldApp} → ${newApp}) → next run succeeded ${((Date.now() - restarted) / 1000).toFixed(1)} s after the restart began`);
    } finally {
      await kept.close();
    }
  });

  it('the Spark Connect server restarted between silver and gold of one run: gold retries on a new session', async () => {
    let newApp: string | undefined;
    const run = await runOnce(nextSnapshot(), (stages) =>
      stages.map((stage) =>
        stage.name !== 'gold' ? stage : {
          ...stage,
          run: async (signal, log, runId) => {
            // Only before the first attempt: the run's session, opened by silver, is gone on the restarted server.
            if (!restartedConnect) {
              restartedConnect = true;
              const oldApp = present(await connectApplication(), 'the Connect application at the master');
              newApp = await restartConnect(oldApp);
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
    expect(await succeededJobs(present(newApp, 'the application after the restart'))).toBeGreaterThan(0);
    console.info(`Connect restart between silver and gold → gold succeeded in ${run.stages.gold.attempts} attempt(s)`);
  });
});
