/** The three stages of a run, wired from the extractor, the Spark jobs and the settings. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { recentSnapshotFlights } from './manifest.js';
import { InterruptedError, type Stage } from './pipeline.js';
import { bytesAt, deleteObject, deletePrefix } from './s3.js';
import { ANSWERS_TABLE_TAG, tagSession } from './spark-tags.js';
import { currentReferenceKey, extractSnapshot } from '../extract/index.js';
import type { SparkSession } from '../spark/index.js';
import type { PipelineSpark } from './pipeline-spark.js';
import { answersKey, bronzeKey, goldKey, quarantineKey, silverKey } from '../contracts/index.js';
import { bronzePath } from '../jobs/paths.js';
import { layoutFor, RowAccountingError, runAnswersTable, runGold, runSilver, type Layout } from '../jobs/index.js';

interface StageContext {
  config: Config;
  s3: S3Client;
  /** The Spark session of silver and gold, which the caller may keep for its next runs and closes when done. */
  spark: PipelineSpark;
  snapshotTime: Date;
  fr24BaseUrl?: string;
  refreshReference?: boolean;
}

/**
 * A stage attempt on the run's Spark session, whose queries are interrupted on the server when the run is told
 * to stop. A failed attempt drops the session (a restarted Connect server costs one retry, not the run). A query
 * submitted just as the signal fires may escape the interrupt, so an attempt that ends after the signal counts as
 * interrupted: its output is then cleaned like any unfinished stage's.
 */
async function withSpark<T>(
  ctx: StageContext,
  job: { runId: string; stage: string },
  signal: AbortSignal,
  work: (spark: SparkSession) => Promise<T>,
): Promise<T> {
  if (signal.aborted) throw new InterruptedError('interrupted before the stage started');
  const spark = await ctx.spark.get();
  spark.clearTags(); // the run's session carries the tags of the stage running now
  tagSession(spark, { run: job.runId, stage: job.stage, snapshot: ctx.snapshotTime.toISOString() });
  const interrupt = () => void spark.interruptAll().catch(() => undefined);
  signal.addEventListener('abort', interrupt, { once: true });
  try {
    const result = await work(spark);
    if (signal.aborted) throw new InterruptedError('interrupted while the stage ran');
    return result;
  } catch (error) {
    await ctx.spark.close();
    throw error;
  } finally {
    signal.removeEventListener('abort', interrupt);
  }
}

export function pipelineStages(ctx: StageContext): Stage[] {
  const { config, snapshotTime, s3 } = ctx;
  const { bucket } = config.minio;
  const cleanSparkOutput = async (...keys: string[]) => {
    for (const key of keys) await deletePrefix(s3, bucket, key);
  };
  // What extract wrote, for silver to check that Spark read every bronze row (unknown when silver runs alone).
  let bronzeRowsWritten: number | undefined;
  // How silver and gold lay the snapshot out, by its bronze file's size: read once, by the first stage that asks,
  // so gold is laid out as silver was.
  let layout: Layout | undefined;
  const snapshotLayout = async () => (layout ??= layoutFor(await bytesAt(s3, bucket, bronzeKey(snapshotTime))));

  // Which feed the flights come from: a collapsed world is judged against earlier snapshots of the same feed.
  const feed = ctx.fr24BaseUrl ?? 'FR24';
  const extract: Stage = {
    name: 'extract',
    async run(signal: AbortSignal, log: Logger) {
      const result = await extractSnapshot({
        fr24: { ...config.fr24, baseUrl: ctx.fr24BaseUrl },
        recentFlights: await recentSnapshotFlights(s3, bucket, feed),
        s3: config.minio,
        snapshotTime,
        refreshReference: ctx.refreshReference,
        logger: log,
        progress: process.stderr.isTTY,
        signal,
      });
      bronzeRowsWritten = result.flights;
      return {
        rowsOut: result.flights,
        requests: result.requests,
        retries: result.retries,
        outputs: [bronzePath(bucket, snapshotTime)],
        partial: result.partial,
        details: {
          cells: result.cells,
          maxDepth: result.maxDepth,
          truncatedCells: result.truncatedCells,
          failedCells: result.failedCells,
          referenceFetched: result.referenceFetched,
          referenceVersions: result.referenceVersions,
          referenceRejected: result.referenceRejected,
          fullCount: result.fullCount,
          fullCountMeans: result.fullCountMeans,
        },
      };
    },
    clean: () => deleteObject(s3, bucket, bronzeKey(snapshotTime)),
    // Recorded also when the extract fails: a spent budget or a passed deadline is read against them.
    given: { feed, bounds: config.fr24.bounds },
  };

  const silver: Stage = {
    name: 'silver',
    run: (signal, _log, runId) =>
      withSpark(ctx, { runId, stage: 'silver' }, signal, async (spark) => {
        const r = await runSilver(spark, { bucket, snapshotTime, layout: await snapshotLayout() });
        if (bronzeRowsWritten !== undefined && r.bronzeRows !== bronzeRowsWritten) {
          throw new RowAccountingError(
            `silver read ${r.bronzeRows} bronze rows from ${bronzePath(bucket, snapshotTime)} but extract wrote ${bronzeRowsWritten}`,
          );
        }
        return {
          rowsIn: r.bronzeRows,
          rowsOut: r.silverRows,
          quarantinedRows: r.quarantinedRows,
          duplicatesRemoved: r.duplicatesRemoved,
          outputs: [r.silverPath, r.quarantinePath],
        };
      }),
    clean: () => cleanSparkOutput(silverKey(snapshotTime), quarantineKey(snapshotTime)),
  };

  const gold: Stage = {
    name: 'gold',
    run: (signal, _log, runId) =>
      withSpark(ctx, { runId, stage: 'gold' }, signal, async (spark) => {
        // The current versions, named before the job starts: gold records them (details.reference).
        const [airports, airlines, layout] = await Promise.all([
          currentReferenceKey(s3, bucket, 'airports'),
          currentReferenceKey(s3, bucket, 'airlines'),
          snapshotLayout(),
        ]);
        const reference = { airports, airlines };
        const { silverRows, goldRows, goldPath: path, ...details } = await runGold(spark, { bucket, snapshotTime, reference, layout });
        // A separate step once gold is written: the answers of this snapshot, kept next to it (its Spark jobs
        // tagged apart from gold's, for `make bench`).
        spark.addTag(ANSWERS_TABLE_TAG);
        const { answersPath } = await runAnswersTable(spark, { bucket, snapshotTime, layout, goldJustWritten: true });
        return { rowsIn: silverRows, rowsOut: goldRows, outputs: [path, answersPath], details };
      }),
    clean: () => cleanSparkOutput(goldKey(snapshotTime), answersKey(snapshotTime)),
  };

  return [extract, silver, gold];
}
