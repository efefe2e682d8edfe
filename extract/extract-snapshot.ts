/**
 * One extraction run: the live feed into one bronze CSV (streamed to MinIO as the flights arrive), then
 * the reference data if it is missing or a refresh is asked for. Returns what the run manifest records.
 */
import { z } from 'zod';
import { bronzeHeader, bronzeRow, isoSeconds } from './bronze/csv.js';
import { crawlFeed, FailedCellSchema, TruncatedCellSchema } from './crawl/crawl.js';
import { useFr24BaseUrl } from './fr24/library.js';
import { bronzeKey } from './paths.js';
import { ProgressLine } from './progress.js';
import { ensureReference } from './reference/reference.js';
import { assertBucket, s3Client, StreamingObject, type S3Settings } from './s3.js';

export const ExtractResultSchema = z.object({
  bronzeKey: z.string(),
  snapshotTime: z.string(),
  strategy: z.enum(['grid', 'original']),
  flights: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  cells: z.number().int().nonnegative(),
  maxDepth: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  truncatedCells: z.array(TruncatedCellSchema),
  failedCells: z.array(FailedCellSchema),
  /** Some cell failed after its retries: the snapshot lacks its flights. */
  partial: z.boolean(),
  durationMs: z.number().nonnegative(),
  bronzeBytes: z.number().int().nonnegative(),
  referenceFetched: z.boolean(),
  reference: z.object({
    airports: z.enum(['kept', 'written', 'missing']),
    airlines: z.enum(['kept', 'written', 'missing']),
  }),
});
export type ExtractResult = z.infer<typeof ExtractResultSchema>;

export interface ExtractOptions {
  /** One base URL replacing every FR24 host (FR24_BASE_URL); the real hosts when absent. */
  fr24BaseUrl?: string;
  requestCap: number;
  concurrency: number;
  requestTimeoutMs: number;
  retries: number;
  minCellDeg: number;
  s3: S3Settings;
  snapshotTime: Date;
  refreshReference?: boolean;
  strategy?: 'grid' | 'original';
  split?: 'adaptive' | 'quad';
  backoff?: { baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  logger?: { info(message: string): void; warn(message: string): void; error(message: string): void };
  progress?: boolean;
  signal?: AbortSignal;
}

export class ExtractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractError';
  }
}

export async function extractSnapshot(opts: ExtractOptions): Promise<ExtractResult> {
  const started = Date.now();
  const client = s3Client(opts.s3);
  const key = bronzeKey(opts.snapshotTime);
  const snapshot = isoSeconds(opts.snapshotTime);
  await assertBucket(client, opts.s3);
  const release = useFr24BaseUrl(opts.fr24BaseUrl);
  const progress = opts.progress ? new ProgressLine() : undefined;
  const bronze = new StreamingObject(client, opts.s3.bucket, key);
  try {
    await bronze.write(bronzeHeader());
    const stats = await crawlFeed({
      fr24BaseUrl: opts.fr24BaseUrl,
      strategy: opts.strategy,
      split: opts.split,
      requestCap: opts.requestCap,
      concurrency: opts.concurrency,
      requestTimeoutMs: opts.requestTimeoutMs,
      retries: opts.retries,
      minCellDeg: opts.minCellDeg,
      backoff: opts.backoff,
      signal: opts.signal,
      logger: opts.logger,
      onRecords: async (records) => {
        for (const [id, record] of records) await bronze.write(bronzeRow(id, record, snapshot));
      },
      onProgress: progress ? (s) => progress.update(s) : undefined,
    });
    progress?.update({ ...stats, pending: 0 }, true);
    progress?.end();
    if (opts.signal?.aborted) throw new ExtractError('extraction aborted');
    if (stats.flights === 0 && stats.failedCells.length > 0) {
      throw new ExtractError(
        `no flight could be fetched from ${opts.fr24BaseUrl ?? 'FR24'}: ${stats.failedCells.length} cell(s) failed, first: ${stats.failedCells[0]?.label} ${stats.failedCells[0]?.error}`,
      );
    }
    await bronze.finish();

    const reference = await ensureReference({
      client,
      bucket: opts.s3.bucket,
      refresh: opts.refreshReference ?? false,
      timeoutMs: opts.requestTimeoutMs,
      retries: opts.retries,
      logger: opts.logger,
      signal: opts.signal,
    });

    const result: ExtractResult = {
      bronzeKey: key,
      snapshotTime: snapshot,
      strategy: opts.strategy ?? 'grid',
      flights: stats.flights,
      requests: stats.requests,
      cells: stats.cells,
      maxDepth: stats.maxDepth,
      retries: stats.retries,
      duplicates: stats.duplicates,
      truncatedCells: stats.truncatedCells,
      failedCells: stats.failedCells,
      partial: stats.failedCells.length > 0,
      durationMs: Date.now() - started,
      bronzeBytes: bronze.bytes,
      referenceFetched: reference.fetched,
      reference: { airports: reference.airports.action, airlines: reference.airlines.action },
    };
    for (const cell of result.failedCells) opts.logger?.warn(`cell ${cell.label} failed after ${cell.attempts} attempt(s): ${cell.error}`);
    for (const cell of result.truncatedCells) {
      opts.logger?.warn(`cell ${cell.label} is still capped at the minimum size: ${cell.returned} flights returned${cell.reported ? ` of ${cell.reported} reported` : ''}`);
    }
    opts.logger?.info(
      `extract: ${result.flights} flights to s3://${opts.s3.bucket}/${key} in ${(result.durationMs / 1000).toFixed(1)} s; ` +
        `${result.requests} requests, ${result.cells} cells, depth ${result.maxDepth}, ${result.retries} retries, ` +
        `${result.truncatedCells.length} truncated, ${result.failedCells.length} failed${result.partial ? ' (PARTIAL snapshot)' : ''}; ` +
        `reference airports ${result.reference.airports}, airlines ${result.reference.airlines}`,
    );
    return result;
  } catch (error) {
    progress?.end();
    await bronze.abort();
    throw error;
  } finally {
    release();
  }
}
