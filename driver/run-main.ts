import { join } from 'node:path';
import schedule from 'node-schedule';
import type { Config } from './config.js';
import { flagArg } from './args.js';
import { UsageError } from './usage-error.js';
import { healStack, missingParts, probeStack } from './health.js';
import { acquirePipelineLock, LockBusyError, LockWaitAbortedError } from './lock.js';
import { createLogger } from './logger.js';
import type { RunManifest } from './manifest.js';
import { runPipeline } from './pipeline.js';
import { s3Client } from '../extract/s3.js';
import { PipelineSpark } from './pipeline-spark.js';
import { pipelineStages } from './stages.js';
import { startFr24Sim } from '../extract/index.js';

interface RunMainArgs {
  once: boolean;
  source: 'fr24' | 'sim';
  /** How long a run waits for another one to finish before it refuses. */
  lockWaitMs: number;
  /** Fetch airlines and airports again on the first cycle (otherwise only when the bucket has none). */
  refreshReference: boolean;
  /** Workers the stack should have (`make run-main scale=N`); a dead one is restarted before a cycle. */
  scale?: number;
}

/** Longer waits than this would make Node's timer fire at once (2^31-1 ms). */
const MAX_LOCK_WAIT_S = Math.floor((2 ** 31 - 1) / 1000);
/** stack.sh up waits at most 60 + 90 + 120 + 180 s for its daemons; a restart never takes longer than this. */
const HEAL_TIMEOUT_MS = 8 * 60_000;

export function parseRunMainArgs(args: Record<string, string>): RunMainArgs {
  const source = args.source || 'fr24';
  if (source !== 'fr24' && source !== 'sim') throw new UsageError(`source must be fr24 or sim, got '${source}'`);
  const lockWaitS = args['lock-wait-s'] !== undefined ? Number(args['lock-wait-s']) : 30 * 60;
  if (!Number.isFinite(lockWaitS) || lockWaitS < 0 || lockWaitS > MAX_LOCK_WAIT_S) {
    throw new UsageError(`lock-wait-s must be a number of seconds from 0 to ${MAX_LOCK_WAIT_S}, got '${args['lock-wait-s']}'`);
  }
  const scale = args.scale !== undefined && args.scale !== '' ? Number(args.scale) : undefined;
  if (scale !== undefined && !(Number.isInteger(scale) && scale >= 1)) throw new UsageError(`scale must be a whole number of workers >= 1, got '${args.scale}'`);
  return { once: flagArg(args, 'once'), source, lockWaitMs: lockWaitS * 1000, refreshReference: flagArg(args, 'refresh'), scale };
}

/**
 * `make run-main`: one cycle now, then one per SCHEDULE_CRON tick (hourly by default) until SIGINT/SIGTERM.
 * Cycles never overlap: the pipeline lock is shared by every process on this machine's stack.
 * Resolves to the exit code: with once=1, 0 only when the cycle succeeded.
 */
export async function runMain(config: Config, args: RunMainArgs): Promise<number> {
  const logger = createLogger({ level: config.log.level, file: config.log.file, secrets: config.settings });
  const s3 = s3Client(config.minio);
  const stopping = new AbortController();
  const lockPath = join(config.stackHome, 'run', 'pipeline.lock');
  let job: schedule.Job | undefined;
  const scheduled = new Set<Promise<RunManifest | undefined>>();

  // A second signal does not wait for the stage's clean-up: the first one already asked the server to interrupt
  // its queries (best effort); the kernel frees the pipeline lock with the process.
  let exitNow: (code: number) => void = () => undefined;
  const secondSignal = new Promise<number>((resolve) => (exitNow = resolve));
  const stop = (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) {
      logger.warn(`${signal} received again: exiting now, without waiting for the run to be cleaned`);
      exitNow(130);
      return;
    }
    logger.warn(`${signal} received: stopping the schedule and interrupting the running stage (send it again to exit at once)`);
    job?.cancel();
    stopping.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const sim = args.source === 'sim' ? await startFr24Sim({ host: '127.0.0.1', port: 0 }) : undefined;
  if (sim) logger.info(`source=sim: FR24-compatible server at ${sim.url}`);
  const fr24BaseUrl = sim?.url ?? config.fr24.baseUrl;

  let refreshReference = args.refreshReference;
  // One session for every cycle of this process: kept between hourly runs (driver/pipeline-spark.ts).
  const spark = new PipelineSpark(config.spark);
  const cycle = async (waitMs: number): Promise<RunManifest | undefined> => {
    let release: () => void;
    try {
      release = await acquirePipelineLock(lockPath, `pid-${process.pid}`, {
        waitMs,
        signal: stopping.signal,
        onWait: (owner) => logger.warn(`waiting for run ${owner ? `${owner.runId} (pid ${owner.pid})` : '(holder not named yet)'} to finish`),
      });
    } catch (error) {
      if (error instanceof LockBusyError) {
        logger.error(error.message);
        return undefined;
      }
      if (error instanceof LockWaitAbortedError) {
        logger.warn(error.message);
        return undefined;
      }
      throw error;
    }
    spark.startRun();
    try {
      // A dead daemon is restarted now rather than found by a stage that would wait for it until its deadline.
      await healStack(config, { workers: args.scale, timeoutMs: HEAL_TIMEOUT_MS, signal: stopping.signal, log: logger }).catch((error: unknown) =>
        logger.warn(`could not check the stack before the run: ${String(error)}`),
      );
      const refreshThisCycle = refreshReference; // only the first cycle refreshes
      refreshReference = false;
      return await runPipeline({
        // Taken after the lock; the run claims the first free second from here (ClaimedManifest).
        snapshotTime: new Date(),
        source: args.source === 'sim' ? `sim ${fr24BaseUrl}` : (fr24BaseUrl ?? 'fr24'),
        stagesFor: (snapshotTime) =>
          pipelineStages({ config, s3, spark, snapshotTime, fr24BaseUrl, refreshReference: refreshThisCycle }),
        s3,
        bucket: config.minio.bucket,
        logger,
        stageRetries: config.schedule.stageRetries,
        stageDeadlineMs: config.schedule.stageDeadlineMs,
        diagnose: async () => missingParts(await probeStack(config), config),
        signal: stopping.signal,
      });
    } finally {
      release();
    }
  };

  const main = async (): Promise<number> => {
    const first = await cycle(args.lockWaitMs);
    // 130: stopped by a signal (as a shell reports SIGINT); 1: the cycle failed or could not take the lock.
    if (stopping.signal.aborted) return first?.status === 'succeeded' ? 0 : 130;
    if (args.once) return first?.status === 'succeeded' ? 0 : 1;

    // A tick that finds a run still going refuses at once instead of queueing behind it. The cycle is kept so a
    // signal waits for its stage to be interrupted and cleaned, and for its manifest and lock, before exiting.
    job = schedule.scheduleJob(config.schedule.cron, () => {
      const running = cycle(0).catch((e) => {
        logger.error(String(e));
        return undefined;
      });
      scheduled.add(running);
      void running.finally(() => scheduled.delete(running));
    });
    if (!job) throw new UsageError(`SCHEDULE_CRON '${config.schedule.cron}' is not a valid cron expression`);
    logger.info(`scheduled: next run at ${job.nextInvocation()?.toISOString()} (cron '${config.schedule.cron}')`);
    await new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
    const ended = await Promise.all(scheduled);
    return ended.some((run) => run?.status === 'interrupted') ? 130 : 0;
  };

  let forced = false;
  try {
    return await Promise.race([main(), secondSignal.then((code) => ((forced = true), code))]);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (forced) return 130; // nothing more to wait for: the CLI exits now
    await schedule.gracefulShutdown();
    await spark.close();
    await sim?.close();
    await new Promise<void>((resolve) => logger.on('finish', resolve).end());
  }
}
