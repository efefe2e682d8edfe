/**
 * How the extractor reaches FR24 and how far one extraction may go, as the settings give it
 * (driver/config.ts builds it once from the FR24_* keys): passed whole from the config to extractSnapshot,
 * whose crawl takes the FR24 part.
 */
export interface Fr24Settings {
  /** One base URL replacing every FR24 host (FR24_BASE_URL); the real hosts when absent. */
  baseUrl?: string;
  /** The flights FR24 returns at most per request: an answer this full is split and fetched again. */
  requestCap: number;
  /** Feed requests in flight at once (the original strategy always sends one at a time). */
  concurrency: number;
  requestTimeoutMs: number;
  /** Retries of one failed request, with backoff. */
  retries: number;
  /** A cell this small (degrees, both sides) is not split further, even when capped. */
  minCellDeg: number;
}

export interface ExtractBounds {
  /** Feed requests per run, retries included. */
  requestBudget: number;
  /** The whole extraction (crawl and reference data). */
  deadlineMs: number;
}

export interface ExtractSettings extends Fr24Settings {
  bounds: ExtractBounds;
  /** A run finding fewer flights than this share of the recent snapshots' median fails (a collapsed world). */
  minShareOfMedian: number;
}
