/**
 * The project's FR24-compatible HTTP server: answers what flightradarapi requests (the live feed, the
 * airports JSON, the airlines page) from a deterministic synthetic world, with the per-request cap,
 * latency, and faults injected per request. It counts the requests it answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parseBounds } from '../geo.js';
import { seededRandom } from './random.js';
import { airlinesBody, airportsBody, emptyVisible, feedBody, queryBox, totalStats, type BoxQuery } from './feed.js';
import { generateWorld, type World, type WorldOptions } from './world.js';

export const FEED_PATH = '/zones/fcgi/feed.js';
export const AIRPORTS_PATH = '/_json/airports.php';
export const AIRLINES_PATH = '/data/airlines';

export type Endpoint = 'feed' | 'airports' | 'airlines' | 'other';

export type FaultKind =
  | 'latency' // extra delay (latencyMs) before an otherwise normal answer
  | 'rate-limit' // 429 with Retry-After
  | 'cloudflare' // 403 challenge page with cf-mitigated
  | 'server-error' // 5xx (500, 502, 503, 520 in turn)
  | 'timeout' // never answers until the client gives up (or holdMs passes)
  | 'truncated' // 200 with the JSON cut short
  | 'empty' // 200 with full_count > 0 and no flights (the sticky-backend answer)
  | 'malformed' // some flight arrays broken in this answer only
  | 'degraded'; // airports: 3 rows without coordinates; airlines: 3 rows (a half-broken reference answer)

export interface FaultRule {
  kind: FaultKind;
  /** Probability per matching request (deterministic sequence from the seed); default 1. */
  rate?: number;
  /** Only the first N matching requests (after `skip`). */
  firstN?: number;
  /** Matching requests to let through before the rule applies. */
  skip?: number;
  /** Endpoints the rule applies to; default the feed only. */
  endpoints?: Endpoint[];
  /** Only feed requests whose box contains this point (a fault that follows one place on the map). */
  near?: { lat: number; lon: number };
  retryAfterS?: number;
  latencyMs?: number;
  holdMs?: number;
}

export interface SimOptions extends WorldOptions {
  port?: number;
  host?: string;
  cap?: number;
  latencyMs?: number;
  faults?: FaultRule[];
  /**
   * Which flights a capped answer holds: 'spread' (default) a stable pseudo-random priority, so the answer
   * is a sample of the whole box; 'south-first' the southernmost ones (a biased sample, as some users
   * report FR24's "first 1500 by coordinates").
   */
  answerOrder?: 'spread' | 'south-first';
  /** false: stats.visible counts only the flights returned (capped), so the box's real count is unknown. */
  reportVisible?: boolean;
  /** A world built elsewhere (several servers can share one). */
  world?: World;
  /** How the feed behaves as a whole (changeable while running with setView). */
  view?: FeedView;
}

/** Whole-feed behaviours, as opposed to per-request faults. */
export interface FeedView {
  /**
   * Share of the world the feed serves (default 1): 0.1 is a collapsed world, 0 an empty one (every answer
   * then says full_count 0 and holds no flight, or is the bare `{}` with `bareEmpty`).
   */
  share?: number;
  bareEmpty?: boolean;
  /** Every box is answered as if it were the whole globe (a feed that ignores the bounds). */
  ignoreBounds?: boolean;
  /**
   * What full_count reports: 'feed' (default) the feed's total in every answer, as FR24 sends it; 'box' the
   * box's own count before the cap.
   */
  fullCount?: 'feed' | 'box';
}

export interface Fr24Sim {
  url: string;
  world: World;
  cap: number;
  requestCount(): number;
  requestCounts(): Record<Endpoint, number>;
  /** The most feed requests the server was answering at the same moment. */
  maxConcurrentFeed(): number;
  /** Answered requests that carried an injected fault, by kind. */
  faultCounts(): Partial<Record<FaultKind, number>>;
  setFaults(faults: FaultRule[]): void;
  setView(view: FeedView): void;
  setLatency(ms: number): void;
  resetCounts(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startFr24Sim(options: SimOptions = {}): Promise<Fr24Sim> {
  const world = options.world ?? generateWorld(options);
  const cap = options.cap ?? 1500;
  let latencyMs = options.latencyMs ?? 0;
  let faults = options.faults ?? [];
  let matchCounts = faults.map(() => 0);
  const rand = seededRandom((world.seed ^ 0x5eed) >>> 0);
  const fullOrder = options.answerOrder === 'south-first' ? [...world.flights].sort((a, b) => a.lat - b.lat || a.lon - b.lon) : world.flights;
  let view: FeedView = {};
  // What the feed serves under the view: the first share of the world's flights (world order is a stable
  // pseudo-random priority, so any share is spread over the map like the whole).
  let served = { flights: world.flights, order: fullOrder, total: totalStats(world) };
  const applyView = (next: FeedView) => {
    view = next;
    const share = Math.min(1, Math.max(0, next.share ?? 1));
    const kept = new Set(world.flights.slice(0, Math.round(share * world.flights.length)));
    const flights = share === 1 ? world.flights : world.flights.filter((f) => kept.has(f));
    served = { flights, order: share === 1 ? fullOrder : fullOrder.filter((f) => kept.has(f)), total: totalStats({ ...world, flights }) };
  };
  applyView(options.view ?? {});
  const airports = airportsBody(world);
  const airlines = airlinesBody(world);
  const degradedAirports = airportsBody({ airports: world.airports.slice(0, 3) }, { withoutCoordinates: true });
  const degradedAirlines = airlinesBody({ airlines: world.airlines.slice(0, 3) });
  const counts: Record<Endpoint, number> = { feed: 0, airports: 0, airlines: 0, other: 0 };
  const faultCounts: Partial<Record<FaultKind, number>> = {};
  const sockets = new Set<Socket>();
  let serverErrorTurn = 0;
  let feedInFlight = 0;
  let maxFeedInFlight = 0;

  const chooseFault = (endpoint: Endpoint, box: BoxQuery | undefined): FaultRule | undefined => {
    for (const [i, rule] of faults.entries()) {
      if (!(rule.endpoints ?? ['feed']).includes(endpoint)) continue;
      if (rule.near && box && !queryBox({ ...world, flights: [{ id: '', lat: rule.near.lat, lon: rule.near.lon, record: [], kind: 'regular' }] }, box, 1).inBox) continue;
      const n = matchCounts[i] ?? 0;
      matchCounts[i] = n + 1;
      if (n < (rule.skip ?? 0)) continue;
      if (rule.firstN !== undefined && n >= (rule.skip ?? 0) + rule.firstN) continue;
      if (rand() < (rule.rate ?? 1)) return rule;
    }
    return undefined;
  };

  const send = (res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const endpoint: Endpoint =
      url.pathname === FEED_PATH ? 'feed' : url.pathname === AIRPORTS_PATH ? 'airports' : url.pathname === AIRLINES_PATH ? 'airlines' : 'other';
    counts[endpoint]++;
    const boundsText = url.searchParams.get('bounds');
    const box = boundsText ? parseBounds(boundsText) : undefined;
    const fault = chooseFault(endpoint, box);
    if (fault) faultCounts[fault.kind] = (faultCounts[fault.kind] ?? 0) + 1;
    const delay = latencyMs + (fault?.kind === 'latency' ? (fault.latencyMs ?? 1000) : 0);
    if (delay > 0) await sleep(delay);

    switch (fault?.kind) {
      case 'rate-limit':
        return send(res, 429, 'text/plain', 'Too Many Requests', { 'retry-after': String(fault.retryAfterS ?? 1) });
      case 'cloudflare':
        return send(res, 403, 'text/html; charset=UTF-8',
          '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser before accessing flightradar24.com.</body></html>',
          { 'cf-mitigated': 'challenge', server: 'cloudflare' });
      case 'server-error': {
        const status = [500, 502, 503, 520][serverErrorTurn++ % 4] as number;
        return send(res, status, 'text/html', `<html><body>${status} error</body></html>`);
      }
      case 'timeout':
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, fault.holdMs ?? 120_000);
          req.socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        req.socket.destroy();
        return;
      default:
        break;
    }

    if (endpoint === 'airports') {
      const body = fault?.kind === 'empty' ? '{"version":1,"rows":[]}' : fault?.kind === 'degraded' ? degradedAirports : airports;
      return send(res, 200, 'application/json', body);
    }
    if (endpoint === 'airlines') {
      const body = fault?.kind === 'empty' ? '<html><body></body></html>' : fault?.kind === 'degraded' ? degradedAirlines : airlines;
      return send(res, 200, 'text/html; charset=utf-8', body);
    }
    if (endpoint === 'other') return send(res, 404, 'text/html', '<html><body>Not found</body></html>');

    if (boundsText && !box) return send(res, 400, 'application/json', '{"error":"bad bounds"}');
    const limit = Number(url.searchParams.get('limit') ?? cap);
    const { flights, order, total } = served;
    if (flights.length === 0 && view.bareEmpty) return send(res, 200, 'application/json', '{}');
    const answer = queryBox({ ...world, flights }, view.ignoreBounds ? undefined : box, Math.min(cap, Number.isFinite(limit) && limit > 0 ? limit : cap), order);
    if (options.reportVisible === false) answer.visible = queryBox({ ...world, flights: answer.flights }, undefined, cap).visible;
    const fullCount = view.fullCount === 'box' ? answer.inBox : flights.length;
    let body: string;
    if (fault?.kind === 'empty') body = feedBody(Math.max(1, fullCount), { flights: [], visible: emptyVisible() }, total);
    else if (fault?.kind === 'malformed') {
      const broken = new Map<string, unknown[]>();
      answer.flights.forEach((f, i) => i % 20 === 0 && broken.set(f.id, [f.record[0], 'garbage', null]));
      body = feedBody(fullCount, answer, total, broken);
    } else body = feedBody(fullCount, answer, total);
    if (fault?.kind === 'truncated') body = body.slice(0, Math.floor(body.length * 0.6));
    return send(res, 200, 'application/json', body);
  };

  const server = createServer((req, res) => {
    const isFeed = (req.url ?? '').startsWith(FEED_PATH);
    if (isFeed) maxFeedInFlight = Math.max(maxFeedInFlight, ++feedInFlight);
    handle(req, res)
      .catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, 'text/plain', `sim error: ${String(error)}`);
        else res.destroy();
      })
      .finally(() => {
        if (isFeed) feedInFlight--;
      });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `http://${host}:${port}`,
    world,
    cap,
    requestCount: () => counts.feed + counts.airports + counts.airlines + counts.other,
    requestCounts: () => ({ ...counts }),
    faultCounts: () => ({ ...faultCounts }),
    maxConcurrentFeed: () => maxFeedInFlight,
    setView: applyView,
    setFaults(next) {
      faults = next;
      matchCounts = next.map(() => 0);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    resetCounts() {
      for (const k of Object.keys(counts) as Endpoint[]) counts[k] = 0;
      for (const k of Object.keys(faultCounts) as FaultKind[]) delete faultCounts[k];
      maxFeedInFlight = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
