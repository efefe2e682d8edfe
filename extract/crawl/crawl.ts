/**
 * The extraction algorithm: walks the live feed cell by cell and hands every new flight record (deduplicated
 * by id across overlapping cells) to `onRecords` as soon as it arrives.
 *
 * - grid (default): starts from the whole globe (FR24's named zones do not tile it), splits every capped
 *   cell (see planner.ts) and fetches the pieces again, recursively and concurrently under a limit; a cell
 *   still capped at the minimum size is reported as truncated and not split again.
 * - original: the first project's strategy, kept for comparison: the leaf zones of flightradarapi's named
 *   zone list only, one request at a time, a zone split in four only when it returns exactly the cap
 *   (bounded by the same minimum size here, where the original recursed forever).
 *
 * A cell that still fails after its retries is recorded (the snapshot is partial) and the walk goes on.
 * An error from `onRecords` (the bronze upload failed) ends the walk instead: every other branch is aborted
 * and waited for before crawlFeed rejects with it.
 */
import { z } from 'zod';
import { CellSchema, WHOLE_GLOBE, cellLabel, isAtomic, type Cell } from '../geo.js';
import { FeedClient, FeedRequestError, type FeedPage } from '../fr24/feed-client.js';
import { fr24, useFr24BaseUrl, type Fr24Zone } from '../fr24/library.js';
import { watchRetryAfter } from '../fr24/retry-after.js';
import { DEFAULT_RETRY, Limiter, PauseGate, withRetries, type RetryPolicy } from '../fr24/retry.js';
import { splitCell, type Point } from './planner.js';

export const TruncatedCellSchema = CellSchema.extend({
  label: z.string(),
  returned: z.number().int(),
  /** What FR24 said the box holds (stats.visible), when it says. */
  reported: z.number().int().optional(),
});
export const FailedCellSchema = CellSchema.extend({ label: z.string(), error: z.string(), attempts: z.number().int() });
export type TruncatedCell = z.infer<typeof TruncatedCellSchema>;
export type FailedCell = z.infer<typeof FailedCellSchema>;

export interface CrawlStats {
  flights: number;
  requests: number;
  retries: number;
  cells: number;
  maxDepth: number;
  truncatedCells: TruncatedCell[];
  failedCells: FailedCell[];
  /** Records seen more than once (overlapping cells, capped parents and their pieces). */
  duplicates: number;
}

export interface CrawlOptions {
  fr24BaseUrl?: string;
  strategy?: 'grid' | 'original';
  split?: 'adaptive' | 'quad';
  requestCap: number;
  concurrency: number;
  requestTimeoutMs: number;
  retries: number;
  minCellDeg: number;
  fill?: number;
  backoff?: Partial<Omit<RetryPolicy, 'retries'>>;
  signal?: AbortSignal;
  /** New records (first time their id is seen), in arrival order. */
  onRecords: (records: Array<[string, unknown]>) => void | Promise<void>;
  onProgress?: (stats: CrawlStats & { pending: number }) => void;
  logger?: { warn: (message: string) => void };
}

const finitePoint = (record: unknown): Point | undefined => {
  if (!Array.isArray(record)) return undefined;
  const [lat, lon] = [record[1], record[2]];
  return typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon } : undefined;
};

/** The leaf zones of flightradarapi's zone list, as the original extractor walked them. */
export function namedZoneLeaves(): Array<{ name: string; cell: Cell }> {
  const leaves: Array<{ name: string; cell: Cell }> = [];
  const walk = (name: string, zone: Fr24Zone) => {
    if (zone.subzones && Object.keys(zone.subzones).length > 0) {
      for (const [sub, z2] of Object.entries(zone.subzones)) walk(sub, z2);
    } else leaves.push({ name, cell: { north: zone.tl_y, south: zone.br_y, west: zone.tl_x, east: zone.br_x } });
  };
  for (const [name, zone] of Object.entries(new fr24.FlightRadar24API().getZones())) walk(name, zone);
  return leaves;
}

export async function crawlFeed(options: CrawlOptions): Promise<CrawlStats> {
  const strategy = options.strategy ?? 'grid';
  const cap = options.requestCap;
  const release = useFr24BaseUrl(options.fr24BaseUrl);
  const unwatch = watchRetryAfter();
  const client = new FeedClient(options.requestTimeoutMs);
  const gate = new PauseGate();
  const limiter = new Limiter(strategy === 'original' ? 1 : options.concurrency);
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.backoff, retries: options.retries };
  const seen = new Set<string>();
  const stats: CrawlStats = { flights: 0, requests: 0, retries: 0, cells: 0, maxDepth: 0, truncatedCells: [], failedCells: [], duplicates: 0 };
  let pending = 0;
  const progress = () => options.onProgress?.({ ...stats, pending });
  // Stops every branch at the first error (and when the caller aborts): a branch still fetching after
  // crawlFeed has rejected would overlap the caller's retry, and could reach the real FR24 hosts once the
  // base URL override is released.
  const stop = new AbortController();
  const signal = stop.signal;
  const forwardAbort = () => stop.abort();
  if (options.signal?.aborted) stop.abort();
  else options.signal?.addEventListener('abort', forwardAbort, { once: true });
  let firstError: { error: unknown } | undefined;
  const fail = (error: unknown): never => {
    firstError ??= { error };
    stop.abort();
    throw error;
  };

  /**
   * One cell, with retries. `expected`: flights a previous answer showed inside it, so an empty answer is
   * wrong; -1 when nothing was seen before (the whole globe, a named zone): then an empty answer is wrong
   * while full_count > 0, as flightradarapi's getFlights() judges it.
   */
  const fetchCell = async (cell: Cell, expected: number): Promise<FeedPage | undefined> => {
    pending++;
    progress();
    // The limit holds requests in flight, not cells waiting out a backoff.
    const outcome = await withRetries(
      () => limiter.run(async () => {
        // A request queued for a slot when the crawl was stopped must not go out.
        if (signal.aborted) throw new Error('extraction aborted');
        stats.requests++;
        const page = await client.fetch(cell);
        const reported = page.visible ?? 0;
        const trustFullCount = expected < 0 && (page.fullCount ?? 0) > 0;
        if (page.records.length === 0 && (expected > 0 || reported > 0 || trustFullCount)) {
          client.dropStickyCookies();
          throw new FeedRequestError(
            `empty answer for ${cellLabel(cell)} although ${expected > 0 ? `${expected} flight(s) were seen there` : reported > 0 ? `FR24 reports ${reported} there` : `full_count is ${page.fullCount}`}`,
            'empty',
          );
        }
        return page;
      }),
      policy,
      gate,
      {
        signal,
        onRetry: (error, delayMs) => {
          stats.retries++;
          options.logger?.warn(`retrying ${cellLabel(cell)} in ${Math.round(delayMs)} ms: ${error.message}`);
        },
      },
    );
    pending--;
    if (!outcome.value) {
      stats.failedCells.push({ ...cell, label: cellLabel(cell), error: outcome.error?.message ?? 'unknown error', attempts: outcome.attempts });
      progress();
      return undefined;
    }
    stats.cells++;
    const fresh = outcome.value.records.filter(([id]) => (seen.has(id) ? (stats.duplicates++, false) : (seen.add(id), true)));
    stats.flights += fresh.length;
    // Once onRecords has failed, the sink is broken: an answer still in flight then is dropped, not written.
    if (fresh.length > 0 && !firstError) await options.onRecords(fresh);
    progress();
    return outcome.value;
  };

  const truncated = (cell: Cell, page: FeedPage) =>
    stats.truncatedCells.push({ ...cell, label: cellLabel(cell), returned: page.records.length, reported: page.visible });

  const visitGrid = async (cell: Cell, depth: number, expected: number): Promise<void> => {
    if (signal.aborted) return;
    stats.maxDepth = Math.max(stats.maxDepth, depth);
    const page = await fetchCell(cell, expected);
    if (!page || page.records.length < cap) return;
    if (isAtomic(cell, options.minCellDeg)) return void truncated(cell, page);
    const sample = page.records.map(([, r]) => finitePoint(r)).filter((p): p is Point => p !== undefined);
    const pieces = splitCell(cell, sample, page.visible, {
      cap,
      minCellDeg: options.minCellDeg,
      fill: options.fill,
      mode: options.split ?? 'adaptive',
    });
    // allSettled, not all: the error goes up only once every sibling has seen the abort and finished.
    const results = await Promise.allSettled(pieces.map((piece) => visitGrid(piece.cell, depth + 1, piece.points).catch(fail)));
    if (results.some((r) => r.status === 'rejected')) throw firstError?.error;
  };

  const visitOriginal = async (cell: Cell, depth: number): Promise<void> => {
    if (signal.aborted) return;
    stats.maxDepth = Math.max(stats.maxDepth, depth);
    // An empty zone is taken at its word (FR24's full_count is worldwide, so it says nothing about a
    // zone; retrying every empty sub-zone would only add requests the original never made).
    const page = await fetchCell(cell, 0);
    if (!page || page.records.length !== cap) return;
    if (isAtomic(cell, options.minCellDeg)) return void truncated(cell, page);
    for (const piece of splitCell(cell, [], undefined, { cap, minCellDeg: options.minCellDeg, fill: 1, mode: 'quad' })) {
      await visitOriginal(piece.cell, depth + 1);
    }
  };

  try {
    if (strategy === 'original') {
      for (const zone of namedZoneLeaves()) await visitOriginal(zone.cell, 0);
    } else {
      await visitGrid(WHOLE_GLOBE, 0, -1);
    }
  } finally {
    options.signal?.removeEventListener('abort', forwardAbort);
    unwatch();
    release();
  }
  return stats;
}
