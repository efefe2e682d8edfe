/**
 * One live-feed request for one cell, through flightradarapi's own HTTP client (same URL, headers,
 * tracker parameters, cookie session and TLS profile as its getFlights()), keeping the answer raw:
 * getFlights() would hide `full_count`/`stats` (needed to see how many flights a capped box holds),
 * drop field 7 (radar) and turn nulls into "N/A", while bronze keeps records exactly as they came.
 * Flight keys are told from metadata the way the library does it: a flight id starts with a digit.
 */
import { boundsParam, type Cell } from '../geo.js';
import { Core, feedUrl, fr24 } from './library.js';
import { takeRetryAfter } from './retry-after.js';

export interface FeedPage {
  /** [flight id, the record exactly as parsed from the JSON answer] in answer order. */
  records: Array<[string, unknown]>;
  /** FR24's full_count (it reports its worldwide count there). */
  fullCount?: number;
  /** Sum of stats.visible: how many flights the box holds before the cap, when FR24 reports it. */
  visible?: number;
}

/** A failed feed request, classified for the retry layer. */
export class FeedRequestError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'rate-limit' | 'cloudflare' | 'server-error' | 'client-error' | 'bad-answer' | 'empty' | 'network',
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'FeedRequestError';
  }
}

const STICKY_COOKIES = ['AWSALB', 'AWSALBCORS'];

export class FeedClient {
  private readonly client = new fr24.APIClient();
  private readonly params: Record<string, string> = { ...new fr24.FlightTrackerConfig() };

  constructor(private readonly timeoutMs: number) {}

  async fetch(cell: Cell): Promise<FeedPage> {
    const params = { ...this.params, bounds: boundsParam(cell) };
    const url = feedUrl();
    const fullUrl = `${url}?${new URLSearchParams(params).toString()}`;
    let content: unknown;
    try {
      ({ content } = await this.client.request(url, { params, headers: Core.jsonHeaders, timeout: this.timeoutMs }));
    } catch (error) {
      throw classify(error, fullUrl, takeRetryAfter(fullUrl));
    }
    takeRetryAfter(fullUrl);
    if (content === null || typeof content !== 'object' || Array.isArray(content) || content instanceof ArrayBuffer) {
      throw new FeedRequestError(`feed answer for ${params.bounds} is not a JSON object (${describe(content)})`, 'bad-answer');
    }
    const body = content as Record<string, unknown>;
    const records = Object.entries(body).filter(([key]) => /^[0-9]/.test(key));
    const fullCount = typeof body.full_count === 'number' ? body.full_count : undefined;
    const visibleStats = (body.stats as { visible?: Record<string, unknown> } | undefined)?.visible;
    const visible = visibleStats && typeof visibleStats === 'object'
      ? Object.values(visibleStats).reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0)
      : undefined;
    return { records, fullCount, visible };
  }

  /** What the library does before retrying an empty answer: shed load-balancer stickiness. */
  dropStickyCookies(): void {
    for (const name of STICKY_COOKIES) this.client.deleteCookie(name);
  }
}

function describe(content: unknown): string {
  if (typeof content === 'string') return `text: ${JSON.stringify(content.slice(0, 80))}`;
  if (content instanceof ArrayBuffer) return `${content.byteLength} bytes of unexpected content-type`;
  return typeof content;
}

function classify(error: unknown, url: string, retryAfterMs: number | undefined): FeedRequestError {
  const e = error as Error & { cause?: { code?: string } };
  const message = `${e?.message ?? String(error)}`;
  if (e?.name === 'CloudflareError') return new FeedRequestError(`Cloudflare blocked ${url}: ${message}`, 'cloudflare', retryAfterMs);
  if (e?.name === 'TimeoutError') return new FeedRequestError(message, 'timeout');
  if (e instanceof SyntaxError) return new FeedRequestError(`feed answer from ${url} is not valid JSON (truncated?): ${message}`, 'bad-answer');
  const status = /status code '(\d{3})/.exec(message)?.[1];
  if (status === '429') return new FeedRequestError(message, 'rate-limit', retryAfterMs);
  if (status && Number(status) >= 500) return new FeedRequestError(message, 'server-error', retryAfterMs);
  if (status) return new FeedRequestError(message, 'client-error', retryAfterMs);
  return new FeedRequestError(`${message}${e?.cause?.code ? ` (${e.cause.code})` : ''}`, 'network');
}
