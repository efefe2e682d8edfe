/** The three stages of a run, wired from the extractor, the Spark jobs and the settings. */
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { InterruptedError, type Stage } from './pipeline.js';
import { createS3Client, deleteObject, deletePrefix, keyOfS3aPath } from './s3.js';
import { extractSnapshot } from '../extract/index.js';
import { SparkSession } from '../spark/index.js';
import { bronzeKey, goldPath, quarantinePath, silverPath } from '../jobs/paths.js';
import { runGold, runSilver } from '../jobs/index.js';

interface StageContext {
  config: Config;
  snapshotTime: Date;
  fr24BaseUrl?: string;
  refreshReference?: boolean;
}

/**
 * A fresh Spark Connect session per attempt (a restarted Connect server costs one retry, not the run), whose
 * queries are interrupted on the server when the run is told to stop. A query submitted just as the signal
 * fires may escape the interrupt, so an attempt that ends after the signal counts as interrupted: its output
 * is then cleaned like any unfinished stage's.
 */
async function withSpark<T>(ctx: StageContext, signal: AbortSignal, work: (spark: SparkSession) => Promise<T>): Promise<T> {
  const spark = await SparkSession.builder()
    .remote(ctx.config.spark.connectUrl)
    .connectTimeoutMs(ctx.config.spark.connectTimeoutMs)
    .getOrCreate();
  const interrupt = () => void spark.interruptAll().catch(() => undefined);
  signal.addEventListener('abort', interrupt, { once: true });
  try {
    if (signal.aborted) throw new InterruptedError('interrupted before the stage started');
    const result = await work(spark);
    if (signal.aborted) throw new InterruptedError('interrupted while the stage ran');
    return result;
  } finally {
    signal.removeEventListener('abort', interrupt);
    await spark.stop().catch(() => undefined);
  }
}

export function pipelineStages(ctx: StageContext): Stage[] {
  const { config, snapshotTime } = ctx;
  const { bucket } = config.minio;
  const s3 = createS3Client(config.minio);
  const cleanSparkOutput = async (...paths: string[]) => {
    for (const path of paths) await deletePrefix(s3, bucket, keyOfS3aPath(path, bucket));
  };

  const extract: Stage = {
    name: 'extract',
    async run(signal: AbortSignal, log: Logger) {
      const result = await extractSnapshot({
        fr24BaseUrl: ctx.fr24BaseUrl,
        requestCap: config.fr24.requestCap,
        concurrency: config.fr24.concurrency,
        requestTimeoutMs: config.fr24.requestTimeoutMs,
        retries: config.fr24.retries,
        minCellDeg: config.fr24.minCellDeg,
        s3: config.minio,
        snapshotTime,
        refreshReference: ctx.refreshReference,
        logger: log,
        progress: process.stderr.isTTY,
        signal,
      });
      return {
        rowsOut: result.flights,
        requests: result.requests,
        retries: result.retries,
        outputs: [`s3a://${bucket}/${result.bronzeKey}`],
        partial: result.partial,
        details: {
          cells: result.cells,
          maxDepth: result.maxDepth,
          truncatedCells: result.truncatedCells,
          failedCells: result.failedCells,
          referenceFetched: result.referenceFetched,
        },
      };
    },
    clean: () => deleteObject(s3, bucket, bronzeKey(snapshotTime)),
  };

  const silver: Stage = {
    name: 'silver',
    run: (signal) =>
      withSpark(ctx, signal, async (spark) => {
        const r = await runSilver(spark, { bucket, snapshotTime });
        return {
          rowsIn: r.bronzeRows,
          rowsOut: r.silverRows,
          quarantinedRows: r.quarantinedRows,
          duplicatesRemoved: r.duplicatesRemoved,
          outputs: [r.silverPath, r.quarantinePath],
        };
      }),
    clean: () => cleanSparkOutput(silverPath(bucket, snapshotTime), quarantinePath(bucket, snapshotTime)),
  };

  const gold: Stage = {
    name: 'gold',
    run: (signal) =>
      withSpark(ctx, signal, async (spark) => {
        const { silverRows, goldRows, goldPath: path, ...details } = await runGold(spark, { bucket, snapshotTime });
        return { rowsIn: silverRows, rowsOut: goldRows, outputs: [path], details };
      }),
    clean: () => cleanSparkOutput(goldPath(bucket, snapshotTime)),
  };

  return [extract, silver, gold];
}
