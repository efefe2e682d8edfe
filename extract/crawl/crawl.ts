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
import type { Fr24Settings } from '../settings.js';
import { splitCell, type Piece, type Point } from './planner.js';

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
  /** full_count of the whole-globe answer: the feed's total, whatever full_count means in smaller boxes. */
  fullCount?: number;
  /**
   * What full_count was found to mean in smaller boxes: 'feed-total' when they report the feed's total
   * (as FR24 does), 'box-count' when each reports its own count; unknown until a capped box answered.
   */
  fullCountMeans?: 'feed-total' | 'box-count';
  /** Answers with more than a tenth of their flights outside the box asked for (a feed that ignores the bounds). */
  outOfBoxAnswers: number;
}

/** The crawl spent its request budget: it stops (the snapshot would be incomplete in an unknown way). */
export class CrawlBudgetError extends Error {
  constructor(readonly budget: number, readonly stats: CrawlStats) {
    super(
      `request budget of ${budget} spent with ${stats.flights} flights found, ${stats.cells} cells answered, depth ${stats.maxDepth}` +
        (stats.outOfBoxAnswers > 0 ? `; ${stats.outOfBoxAnswers} answers held flights outside their box (the feed seems to ignore the bounds)` : '') +
        ` (raise FR24_REQUEST_BUDGET only if the world really needs more requests)`,
    );
    this.name = 'CrawlBudgetError';
  }
}

/** Below this share of the feed's total, a box's full_count is its own count, not the feed's. */
const FEED_TOTAL_SHARE = 0.98;

/**
 * A box planned under the cap that came back capped anyway (its count was an estimate) holds a little more
 * than the cap: planned as this many caps, it is cut in two instead of the four of a box with no count at all.
 */
const JUST_OVER_CAP = 1.15;

export interface CrawlOptions extends Fr24Settings {
  strategy?: 'grid' | 'original';
  split?: 'adaptive' | 'quad';
  /** At most this many feed requests (retries included); the crawl then fails with a CrawlBudgetError. */
  requestBudget?: number;
  fill?: number;
  backoff?: Partial<Omit<RetryPolicy, 'retries'>>;
  signal?: AbortSignal;
  /** New records (first time their id is seen), in arrival order. */
  onRecords: (records: Array<[string, unknown]>) => void | Promise<void>;
  onProgress?: (stats: CrawlStats & { pending: number }) => void;
  logger?: { warn: (message: string) => void };
}

/** Flights a box holds by its parent's sample, and that figure's relative variance. */
interface Estimate {
  count: number;
  relVar: number;
}

const estimateOf = (piece: Piece): Estimate | undefined =>
  piece.estimate === undefined ? undefined : { count: piece.estimate, relVar: piece.estimateRelVar ?? 0 };

const finitePoint = (record: unknown): Point | undefined => {
  if (!Array.isArray(record)) return undefined;
  const [lat, lon] = [record[1], record[2]];
  return typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon } : undefined;
};

/** A record whose position lies clearly outside the box asked for (edges and rounding allowed for). */
const outsideBox = (cell: Cell, record: unknown): boolean => {
  const p = finitePoint(record);
  const m = 0.5;
  return p !== undefined && (p.lat < cell.south - m || p.lat > cell.north + m || p.lon < cell.west - m || p.lon > cell.east + m);
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
  const release = useFr24BaseUrl(options.baseUrl);
  const unwatch = watchRetryAfter();
  const client = new FeedClient(options.requestTimeoutMs);
  const gate = new PauseGate();
  const limiter = new Limiter(strategy === 'original' ? 1 : options.concurrency);
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.backoff, retries: options.retries };
  const seen = new Set<string>();
  const stats: CrawlStats = {
    flights: 0, requests: 0, retries: 0, cells: 0, maxDepth: 0, truncatedCells: [], failedCells: [], duplicates: 0, outOfBoxAnswers: 0,
  };
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
  let budgetSpent = false;
  const fail = (error: unknown): never => {
    firstError ??= { error };
    stop.abort();
    throw error;
  };

  /**
   * The box's own full_count, or undefined when full_count is the feed's total. The whole globe's answer
   * is both; a smaller box that reports (about) that total tells the feed's kind apart from one whose boxes
   * report their own count. Decided from the answers themselves, as FR24 has sent both over time.
   */
  const boxFullCount = (cell: Cell, page: FeedPage): number | undefined => {
    if (page.fullCount === undefined) return undefined;
    if (cell === WHOLE_GLOBE) return page.fullCount;
    if (stats.fullCount === undefined) return undefined;
    const feedTotal = page.fullCount >= FEED_TOTAL_SHARE * stats.fullCount;
    stats.fullCountMeans = feedTotal ? 'feed-total' : 'box-count';
    return feedTotal ? undefined : page.fullCount;
  };

  /**
   * One cell, with retries. `expected`: flights a previous answer showed inside it, so an empty answer is
   * wrong; -1 when nothing was seen before (the whole globe, a named zone): then an empty answer is wrong
   * (the live world is never empty: an empty globe is a broken answer, retried, then a failed cell).
   */
  const fetchCell = async (cell: Cell, expected: number): Promise<FeedPage | undefined> => {
    pending++;
    progress();
    // The limit holds requests in flight, not cells waiting out a backoff.
    const outcome = await withRetries(
      () => limiter.run(async () => {
        // A request queued for a slot when the crawl was stopped must not go out.
        if (signal.aborted) throw new Error('extraction aborted');
        if (options.requestBudget !== undefined && stats.requests >= options.requestBudget) {
          budgetSpent = true;
          stop.abort();
          throw new Error('request budget spent');
        }
        stats.requests++;
        const page = await client.fetch(cell);
        if (cell === WHOLE_GLOBE) stats.fullCount = page.fullCount;
        // A few malformed positions are the records' own fault; a tenth of the answer is the feed's.
        if (page.records.filter(([, r]) => outsideBox(cell, r)).length > page.records.length / 10) stats.outOfBoxAnswers++;
        const reported = page.visible ?? 0;
        const boxCount = cell === WHOLE_GLOBE || stats.fullCountMeans === 'box-count' ? (page.fullCount ?? 0) : 0;
        if (page.records.length === 0 && (expected !== 0 || reported > 0 || boxCount > 0)) {
          client.dropStickyCookies();
          const why = expected > 0 ? `${expected} flight(s) were seen there`
            : reported > 0 ? `FR24 reports ${reported} there`
            : boxCount > 0 ? `full_count is ${page.fullCount}`
            : `the whole globe cannot be empty (${page.fullCount === undefined ? 'no full_count in the answer' : `full_count ${page.fullCount}`})`;
          throw new FeedRequestError(`empty answer for ${cellLabel(cell)} although ${why}`, 'empty');
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

  /**
   * What a capped box holds, and the relative variance of that figure: stats.visible when it counts beyond
   * the answer (the box before the cap), else the box's own full_count (both exact), else what the parent's
   * sample said (`estimate`, as uncertain as that sample), raised to just over the cap when the box was
   * planned under it; undefined when nothing is known.
   */
  const boxTotal = (cell: Cell, page: FeedPage, estimate: Estimate | undefined): Estimate | undefined => {
    const own = boxFullCount(cell, page);
    if ((page.visible ?? 0) > page.records.length) return { count: page.visible as number, relVar: 0 };
    if (own !== undefined && own > page.records.length) return { count: own, relVar: 0 };
    if (estimate === undefined) return undefined;
    return estimate.count > page.records.length ? estimate : { count: Math.round(JUST_OVER_CAP * page.records.length), relVar: 0 };
  };

  const visitGrid = async (cell: Cell, depth: number, expected: number, estimate?: Estimate): Promise<void> => {
    if (signal.aborted) return;
    stats.maxDepth = Math.max(stats.maxDepth, depth);
    const page = await fetchCell(cell, expected);
    if (!page || page.records.length < cap) return;
    if (isAtomic(cell, options.minCellDeg)) return void truncated(cell, page);
    const sample = page.records.map(([, r]) => finitePoint(r)).filter((p): p is Point => p !== undefined);
    const total = boxTotal(cell, page, estimate);
    const pieces = splitCell(
      cell,
      sample,
      total?.count,
      { cap, minCellDeg: options.minCellDeg, fill: options.fill, mode: options.split ?? 'adaptive' },
      total?.relVar,
    );
    // allSettled, not all: the error goes up only once every sibling has seen the abort and finished.
    const results = await Promise.allSettled(pieces.map((piece) => visitGrid(piece.cell, depth + 1, piece.points, estimateOf(piece)).catch(fail)));
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
  if (budgetSpent) throw new CrawlBudgetError(options.requestBudget as number, stats);
  return stats;
}
