/**
 * One extraction run: the live feed into one bronze CSV (streamed to MinIO as the flights arrive), then
 * the reference data if it is missing or a refresh is asked for. Returns what the run manifest records.
 */
import { bronzeKey, isoSeconds } from '../contracts/index.js';
import { bronzeHeader, bronzeRow } from './bronze/csv.js';
import { CrawlBudgetError, crawlFeed, type CrawlStats, type FailedCell, type TruncatedCell } from './crawl/crawl.js';
import { useFr24BaseUrl } from './fr24/library.js';
import { ProgressLine } from './progress.js';
import { ensureReference, type ReferenceFile } from './reference/reference.js';
import { assertBucket, s3Client, StreamingObject, type S3Settings } from './s3.js';
import type { ExtractSettings } from './settings.js';

export interface ExtractResult {
  bronzeKey: string;
  snapshotTime: string;
  strategy: 'grid' | 'original';
  flights: number;
  requests: number;
  cells: number;
  maxDepth: number;
  retries: number;
  duplicates: number;
  truncatedCells: TruncatedCell[];
  failedCells: FailedCell[];
  /** The whole globe's full_count, and what full_count was found to mean in smaller boxes. */
  fullCount?: number;
  fullCountMeans?: CrawlStats['fullCountMeans'];
  /** Some cell failed after its retries: the snapshot lacks its flights. */
  partial: boolean;
  durationMs: number;
  bronzeBytes: number;
  referenceFetched: boolean;
  /** Never 'missing': a run without reference data fails instead (see missingReference). */
  reference: { airports: 'kept' | 'written'; airlines: 'kept' | 'written' };
  /** The reference versions current after this run (object keys; absent for a file stored before versions). */
  referenceVersions: { airports?: string; airlines?: string };
  /** Fetches the checks refused (kept aside at `key`, not used). */
  referenceRejected: Array<{ what: string; key: string; reason: string }>;
}

export interface ExtractOptions {
  fr24: ExtractSettings;
  s3: S3Settings;
  snapshotTime: Date;
  refreshReference?: boolean;
  strategy?: 'grid' | 'original';
  split?: 'adaptive' | 'quad';
  backoff?: { baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  logger?: { info(message: string): void; warn(message: string): void; error(message: string): void };
  progress?: boolean;
  signal?: AbortSignal;
  /**
   * Flights of the recent successful snapshots: a run finding fewer than `fr24.minShareOfMedian` x their median
   * fails (a collapsed world); none given, only an empty world fails.
   */
  recentFlights?: number[];
}

/**
 * A whole extract that failed (no flight fetched, a collapsed world, reference data missing): worth another
 * attempt of the stage, except a spent request budget (the feed would drive the next attempt there too).
 */
export class ExtractError extends Error {
  constructor(
    message: string,
    /** Read by the pipeline's retry policy (driver/retryable.ts), which extract/ does not import. */
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'ExtractError';
  }
}

/**
 * The error for reference files neither stored by an earlier run nor fetchable now. The run fails instead
 * of reporting success (gold joins flights with airports and airlines and would fail later, further from
 * the cause), so the pipeline retries extract; bronze is left for the stage's clean-up.
 */
function missingReference(bucket: string, source: string, files: Array<[string, ReferenceFile]>): ExtractError {
  const named = files
    .filter(([, file]) => file.action === 'missing')
    .map(([what, file]) => `${what} (s3://${bucket}/${file.key}): ${file.error ?? 'unknown error'}`);
  return new ExtractError(
    `reference data missing and could not be fetched from ${source}: ${named.join('; ')}. ` +
      `The next attempt fetches it again; if it keeps failing, check that ${source} answers, or upload the CSV to that key.`,
  );
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** What the crawl found, checked against an empty or collapsed world; the error says what came back. */
function checkWorld(stats: CrawlStats, opts: ExtractOptions): void {
  const source = opts.fr24.baseUrl ?? 'FR24';
  const came = `${stats.requests} request(s), ${stats.cells} cell(s) answered, ${stats.failedCells.length} failed` +
    `, full_count ${stats.fullCount ?? 'absent'}`;
  if (stats.flights === 0) {
    const first = stats.failedCells[0];
    throw new ExtractError(
      `no flight came back from ${source} (${came})` + (first ? `; first failure: ${first.label} ${first.error}` : '') +
        '. The live world is never empty: the feed is broken or blocking this client; nothing is published.',
    );
  }
  const recent = opts.recentFlights ?? [];
  if (recent.length === 0) return;
  const usual = median(recent);
  const share = opts.fr24.minShareOfMedian;
  if (stats.flights < share * usual) {
    throw new ExtractError(
      `collapsed world: ${stats.flights} flights came back from ${source} (${came}), fewer than ${share} x the median ` +
        `${usual} of the last ${recent.length} snapshot(s); nothing is published (FR24_MIN_SHARE_OF_MEDIAN sets the share).`,
    );
  }
}

export async function extractSnapshot(opts: ExtractOptions): Promise<ExtractResult> {
  const started = Date.now();
  // The deadline stops the crawl and the reference fetch like the caller's signal does.
  const deadline = AbortSignal.timeout(opts.fr24.bounds.deadlineMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  const stopped = () =>
    new ExtractError(
      deadline.aborted && !opts.signal?.aborted
        ? `extract deadline of ${Math.round(opts.fr24.bounds.deadlineMs / 1000)} s passed (FR24_EXTRACT_DEADLINE_MS); nothing is published`
        : 'extraction aborted',
    );
  const client = s3Client(opts.s3);
  const key = bronzeKey(opts.snapshotTime);
  const snapshot = isoSeconds(opts.snapshotTime);
  await assertBucket(client, opts.s3);
  const release = useFr24BaseUrl(opts.fr24.baseUrl);
  const progress = opts.progress ? new ProgressLine() : undefined;
  const bronze = new StreamingObject(client, opts.s3.bucket, key);
  try {
    await bronze.write(bronzeHeader());
    const stats = await crawlFeed({
      ...opts.fr24,
      strategy: opts.strategy,
      split: opts.split,
      requestBudget: opts.fr24.bounds.requestBudget,
      backoff: opts.backoff,
      signal,
      logger: opts.logger,
      onRecords: async (records) => {
        for (const [id, record] of records) await bronze.write(bronzeRow(id, record, snapshot));
      },
      onProgress: progress ? (s) => progress.update(s) : undefined,
    }).catch((error: unknown) => {
      throw error instanceof CrawlBudgetError ? new ExtractError(`${error.message}; nothing is published`, false) : error;
    });
    progress?.update({ ...stats, pending: 0 }, true);
    progress?.end();
    if (signal.aborted) throw stopped();
    checkWorld(stats, opts);
    await bronze.finish();

    const reference = await ensureReference({
      client,
      bucket: opts.s3.bucket,
      refresh: opts.refreshReference ?? false,
      fetchedFor: opts.snapshotTime,
      timeoutMs: opts.fr24.requestTimeoutMs,
      retries: opts.fr24.retries,
      logger: opts.logger,
      signal,
    });
    if (signal.aborted) throw stopped();
    const { airports, airlines } = reference;
    if (airports.action === 'missing' || airlines.action === 'missing') {
      throw missingReference(opts.s3.bucket, opts.fr24.baseUrl ?? 'FR24', [['airports', airports], ['airlines', airlines]]);
    }

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
      fullCount: stats.fullCount,
      fullCountMeans: stats.fullCountMeans,
      partial: stats.failedCells.length > 0,
      durationMs: Date.now() - started,
      bronzeBytes: bronze.bytes,
      referenceFetched: reference.fetched,
      reference: { airports: airports.action, airlines: airlines.action },
      referenceVersions: { airports: airports.version, airlines: airlines.version },
      referenceRejected: (['airports', 'airlines'] as const).flatMap((what) => {
        const rejected = reference[what].rejected;
        return rejected ? [{ what, ...rejected }] : [];
      }),
    };
    for (const cell of result.failedCells) opts.logger?.warn(`cell ${cell.label} failed after ${cell.attempts} attempt(s): ${cell.error}`);
    for (const cell of result.truncatedCells) {
      opts.logger?.warn(`cell ${cell.label} is still capped at the minimum size: ${cell.returned} flights returned${cell.reported ? ` of ${cell.reported} reported` : ''}`);
    }
    opts.logger?.info(
      `extract: ${result.flights} flights to s3://${opts.s3.bucket}/${key} in ${(result.durationMs / 1000).toFixed(1)} s; ` +
        `${result.requests} requests, ${result.cells} cells, depth ${result.maxDepth}, ${result.retries} retries, ` +
        `${result.truncatedCells.length} truncated, ${result.failedCells.length} failed${result.partial ? ' (PARTIAL snapshot)' : ''}; ` +
        `reference airports ${result.reference.airports}, airlines ${result.reference.airlines}` +
        result.referenceRejected.map((r) => `; ${r.what} fetch REFUSED (${r.reason})`).join(''),
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
