/**
 * The extraction algorithm against the FR24-compatible server (0 ms latency): whole-globe coverage,
 * truncated clusters, request economy, concurrency, and the original strategy's blind spots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlFeed, namedZoneLeaves, startFr24Sim, type CrawlStats, type Fr24Sim, type SimFlight } from '../../extract/index.js';

const CAP = 1500;
const base = { requestCap: CAP, concurrency: 4, requestTimeoutMs: 5000, retries: 2, minCellDeg: 0.25, backoff: { baseDelayMs: 5 } };

async function crawl(sim: Fr24Sim, extra: Partial<Parameters<typeof crawlFeed>[0]> = {}) {
  const found = new Map<string, unknown>();
  const stats = await crawlFeed({ ...base, baseUrl: sim.url, ...extra, onRecords: (records) => records.forEach(([id, r]) => found.set(id, r)) });
  return { stats, found };
}

// Longitude -180 and 180 are the same meridian: a box ending at 180 holds a flight at -180.
const within = (f: SimFlight, c: { south: number; north: number; west: number; east: number }) =>
  f.lat >= c.south && f.lat <= c.north && [f.lon, f.lon + 360, f.lon - 360].some((lon) => lon >= c.west && lon <= c.east);

describe('grid crawl of the default world (20,000 flights, one unsplittable cluster)', () => {
  let sim: Fr24Sim;
  let stats: CrawlStats;
  let found: Map<string, unknown>;
  beforeAll(async () => {
    sim = await startFr24Sim({ seed: 1 });
    ({ stats, found } = await crawl(sim));
  });
  afterAll(() => sim.close());

  it('finds every flight except the remainder of the cluster, which is reported as truncated', () => {
    const world = sim.world;
    expect(world.flights.length).toBe(20_000);
    const missed = world.flights.filter((f) => !found.has(f.id));
    expect(stats.truncatedCells.length).toBe(1);
    const cell = stats.truncatedCells[0]!;
    expect(within({ lat: world.cluster!.lat, lon: world.cluster!.lon } as SimFlight, cell)).toBe(true);
    expect(cell.north - cell.south).toBeLessThanOrEqual(0.25);
    expect(cell.east - cell.west).toBeLessThanOrEqual(0.25);
    // Everything missed lies in the truncated cell, and exactly what the cap kept out of it is missed.
    expect(missed.every((f) => within(f, cell))).toBe(true);
    const inCell = world.flights.filter((f) => within(f, cell)).length;
    expect(missed.length).toBe(inCell - CAP);
    expect(cell.reported).toBe(inCell);
    expect(stats.flights).toBe(found.size);
    expect(stats.failedCells).toEqual([]);
  });

  it('hands every record over exactly once, as the server sent it', () => {
    const byId = new Map(sim.world.flights.map((f) => [f.id, f.record]));
    for (const [id, record] of found) expect(record).toEqual(byId.get(id));
    expect(stats.duplicates).toBeGreaterThan(0); // capped parents and their pieces overlap
  });

  it('covers what FR24 named zones leave out: oceans, poles, both sides of the antimeridian', () => {
    const zones = namedZoneLeaves().map((z) => z.cell);
    const outside = sim.world.flights.filter((f) => !zones.some((z) => within(f, z)));
    expect(outside.length).toBeGreaterThan(500);
    expect(outside.every((f) => found.has(f.id))).toBe(true);
    const antimeridian = sim.world.flights.filter((f) => Math.abs(f.lon) > 179.5);
    expect(antimeridian.length).toBeGreaterThan(5);
    expect(antimeridian.every((f) => found.has(f.id))).toBe(true);
  });

  it('stays near the lower bound of requests (the cluster costs its own cell and up to two strips beside it)', () => {
    const lowerBound = Math.ceil(sim.world.flights.length / CAP);
    expect(stats.requests).toBe(stats.cells);
    expect(stats.requests).toBeLessThanOrEqual(Math.floor(1.3 * lowerBound) + 3);
    expect(sim.requestCounts().feed).toBe(stats.requests);
  });

  it('original strategy (named zones, exact-cap splits, one at a time) misses what lies outside the zones', async () => {
    sim.resetCounts();
    const original = await crawl(sim, { strategy: 'original' });
    expect(sim.maxConcurrentFeed()).toBe(1);
    const zones = namedZoneLeaves().map((z) => z.cell);
    const outside = sim.world.flights.filter((f) => !zones.some((z) => within(f, z)));
    expect(outside.some((f) => original.found.has(f.id))).toBe(false);
    expect(original.stats.flights).toBeLessThan(stats.flights - outside.length + 1);
  });
});

describe('grid crawl economy and limits', () => {
  it('needs at most 1.3 x ceil(flights / cap) requests on the default world without the cluster', async () => {
    const sim = await startFr24Sim({ seed: 1, cluster: false });
    try {
      const { stats, found } = await crawl(sim);
      expect(found.size).toBe(sim.world.flights.length);
      expect(stats.requests).toBeLessThanOrEqual(1.3 * Math.ceil(sim.world.flights.length / CAP));
      expect(stats.maxDepth).toBeGreaterThanOrEqual(1);
    } finally {
      await sim.close();
    }
  });

  it('splits capped cells several levels deep in quad mode, keeps every flight, and never exceeds the concurrency limit', async () => {
    const sim = await startFr24Sim({ seed: 3, cluster: false, latencyMs: 5 });
    try {
      const { stats, found } = await crawl(sim, { split: 'quad', concurrency: 3 });
      expect(found.size).toBe(sim.world.flights.length);
      expect(stats.maxDepth).toBeGreaterThanOrEqual(4);
      expect(sim.maxConcurrentFeed()).toBeLessThanOrEqual(3);
      expect(sim.maxConcurrentFeed()).toBeGreaterThan(1);
    } finally {
      await sim.close();
    }
  });

  it('still finds every flight when a capped answer is a biased sample (southernmost first) and no box count is given', async () => {
    // stats.visible counts only what was returned, as an FR24 that reports no more would.
    const sim = await startFr24Sim({ seed: 2, cluster: false, answerOrder: 'south-first', reportVisible: false });
    try {
      const { stats, found } = await crawl(sim, {});
      expect(found.size).toBe(sim.world.flights.length);
      expect(stats.truncatedCells).toEqual([]);
      expect(stats.requests).toBeLessThan(200);
    } finally {
      await sim.close();
    }
  });

  it('reports a cell still capped at the minimum size instead of looping on it (any cap, any minimum)', async () => {
    const sim = await startFr24Sim({ seed: 5, flights: 3000, cap: 200, cluster: { lat: -33.9461, lon: 151.1772, flights: 450 } });
    try {
      const { stats, found } = await crawl(sim, { requestCap: 200, minCellDeg: 1 });
      expect(stats.truncatedCells.length).toBe(1);
      const cell = stats.truncatedCells[0]!;
      const inCell = sim.world.flights.filter((f) => within(f, cell)).length;
      expect(sim.world.flights.length - found.size).toBe(inCell - 200);
      expect(stats.requests).toBeLessThan(60);
    } finally {
      await sim.close();
    }
  });
});

describe('grid crawl when onRecords fails (the bronze upload broke)', () => {
  it('rejects with that error only after every branch has stopped: no request goes out afterwards', async () => {
    const sim = await startFr24Sim({ seed: 1, cluster: false, latencyMs: 20 });
    try {
      let calls = 0;
      // The first answer (whole globe) is written; the second, from one of several concurrent pieces, fails.
      const crawling = crawlFeed({
        ...base, baseUrl: sim.url,
        onRecords: () => {
          if (++calls === 2) throw new Error('upload of s3://bucket/key failed: boom');
        },
      });
      await expect(crawling).rejects.toThrow('upload of s3://bucket/key failed: boom');
      const atRejection = sim.requestCounts().feed;
      expect(atRejection).toBeLessThan(Math.ceil(sim.world.flights.length / CAP)); // stopped early
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sim.requestCounts().feed).toBe(atRejection);
      expect(calls).toBe(2); // nothing handed to the broken sink after it failed
    } finally {
      await sim.close();
    }
  });
});
