import { join } from 'node:path';
import schedule from 'node-schedule';
import type { Config } from './config.js';
import { UsageError } from './usage-error.js';
import { acquirePipelineLock, LockBusyError, LockWaitAbortedError } from './lock.js';
import { createLogger } from './logger.js';
import type { RunManifest } from './manifest.js';
import { runPipeline } from './pipeline.js';
import { createS3Client } from './s3.js';
import { pipelineStages } from './stages.js';
import { startFr24Sim } from '../extract/index.js';

interface RunMainArgs {
  once: boolean;
  source: 'fr24' | 'sim';
  /** How long a run waits for another one to finish before it refuses. */
  lockWaitMs: number;
  /** Fetch airlines and airports again on the first cycle (otherwise only when the bucket has none). */
  refreshReference: boolean;
}

export function parseRunMainArgs(args: Record<string, string>): RunMainArgs {
  const source = args.source || 'fr24';
  if (source !== 'fr24' && source !== 'sim') throw new UsageError(`source must be fr24 or sim, got '${source}'`);
  const yes = (value?: string) => ['1', 'true', 'yes'].includes(value ?? '');
  const once = yes(args.once);
  const lockWaitMs = args['lock-wait-s'] !== undefined ? Number(args['lock-wait-s']) * 1000 : 30 * 60_000;
  if (!Number.isFinite(lockWaitMs) || lockWaitMs < 0) throw new UsageError(`lock-wait-s must be a number of seconds`);
  return { once, source, lockWaitMs, refreshReference: yes(args.refresh) };
}

/**
 * `make run-main`: one cycle now, then one per SCHEDULE_CRON tick (hourly by default) until SIGINT/SIGTERM.
 * Cycles never overlap: the pipeline lock is shared by every process on this machine's stack.
 * Resolves to the exit code: with once=1, 0 only when the cycle succeeded.
 */
export async function runMain(config: Config, args: RunMainArgs): Promise<number> {
  const logger = createLogger({ level: config.log.level, file: config.log.file });
  const s3 = createS3Client(config.minio);
  const stopping = new AbortController();
  const lockPath = join(config.stackHome, 'run', 'pipeline.lock');
  let job: schedule.Job | undefined;
  const scheduled = new Set<Promise<RunManifest | undefined>>();

  const stop = (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) return;
    logger.warn(`${signal} received: stopping the schedule and interrupting the running stage`);
    job?.cancel();
    stopping.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const sim = args.source === 'sim' ? await startFr24Sim({ host: '127.0.0.1', port: 0 }) : undefined;
  if (sim) logger.info(`source=sim: FR24-compatible server at ${sim.url}`);
  const fr24BaseUrl = sim?.url ?? config.fr24.baseUrl;

  let refreshReference = args.refreshReference;
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
    try {
      // Taken after the lock, so two runs that queued up get distinct snapshots.
      const snapshotTime = new Date(Math.floor(Date.now() / 1000) * 1000);
      const refreshThisCycle = refreshReference; // only the first cycle refreshes
      refreshReference = false;
      return await runPipeline({
        snapshotTime,
        source: args.source === 'sim' ? `sim ${fr24BaseUrl}` : (fr24BaseUrl ?? 'fr24'),
        stages: pipelineStages({
          config,
          s3,
          snapshotTime,
          fr24BaseUrl,
          refreshReference: refreshThisCycle,
        }),
        s3,
        bucket: config.minio.bucket,
        logger,
        stageRetries: config.schedule.stageRetries,
        signal: stopping.signal,
      });
    } finally {
      release();
    }
  };

  try {
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
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await schedule.gracefulShutdown();
    await sim?.close();
    await new Promise<void>((resolve) => logger.on('finish', resolve).end());
  }
}
