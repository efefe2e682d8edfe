/** The three stages of a run, wired from the extractor, the Spark jobs and the settings. */
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Stage } from './pipeline.js';
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
  /** Called with each Spark session while a stage uses it, so SIGTERM can interrupt its queries. */
  onSpark: (spark: SparkSession | undefined) => void;
}

/** A fresh Spark Connect session per attempt: a restarted Connect server costs one retry, not the run. */
async function withSpark<T>(ctx: StageContext, work: (spark: SparkSession) => Promise<T>): Promise<T> {
  const spark = await SparkSession.builder()
    .remote(ctx.config.spark.connectUrl)
    .connectTimeoutMs(ctx.config.spark.connectTimeoutMs)
    .getOrCreate();
  ctx.onSpark(spark);
  try {
    return await work(spark);
  } finally {
    ctx.onSpark(undefined);
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
    run: () =>
      withSpark(ctx, async (spark) => {
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
    run: () =>
      withSpark(ctx, async (spark) => {
        const { silverRows, goldRows, goldPath: path, ...details } = await runGold(spark, { bucket, snapshotTime });
        return { rowsIn: silverRows, rowsOut: goldRows, outputs: [path], details };
      }),
    clean: () => cleanSparkOutput(goldPath(bucket, snapshotTime)),
  };

  return [extract, silver, gold];
}
