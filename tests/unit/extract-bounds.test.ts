/**
 * What the crawl does when the feed misbehaves as a whole (FR24-compatible server, 0 ms latency): a feed
 * that ignores the box bounds stops at the request budget; an empty world is a failed cell after its
 * retries, never an empty success; and feeds whose full_count means different things are crawled alike.
 */
import { describe, expect, it } from 'vitest';
import { CrawlBudgetError } from '../../extract/crawl/crawl.js';
import { crawlFeed, startFr24Sim, type Fr24Sim } from '../../extract/index.js';
import type { SimOptions } from '../../extract/sim/server.js';

const CAP = 1500;
const base = { requestCap: CAP, concurrency: 4, requestTimeoutMs: 5000, retries: 2, minCellDeg: 0.25, backoff: { baseDelayMs: 5 } };

async function withSim<T>(options: SimOptions, work: (sim: Fr24Sim) => Promise<T>): Promise<T> {
  const sim = await startFr24Sim(options);
  try {
    return await work(sim);
  } finally {
    await sim.close();
  }
}

async function crawl(sim: Fr24Sim, extra: Partial<Parameters<typeof crawlFeed>[0]> = {}) {
  const found = new Set<string>();
  const stats = await crawlFeed({ ...base, baseUrl: sim.url, ...extra, onRecords: (records) => records.forEach(([id]) => found.add(id)) });
  return { stats, found };
}

describe('request budget', () => {
  it('a feed that ignores the box bounds stops at the budget, saying so, and sends nothing more', async () => {
    // A small cap keeps each answer small; the splitting is the same as at 1500.
    await withSim({ seed: 1, flights: 2000, cap: 300, cluster: false, view: { ignoreBounds: true } }, async (sim) => {
      const error = await crawl(sim, { requestCap: 300, requestBudget: 80 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CrawlBudgetError);
      expect((error as Error).message).toMatch(/request budget of 80 spent .*\(the feed seems to ignore the bounds\)/);
      expect(sim.requestCounts().feed).toBe(80);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sim.requestCounts().feed).toBe(80);
    });
  }, 60_000);

  it('a normal world stays well inside the default budget', async () => {
    await withSim({ seed: 1 }, async (sim) => {
      const { stats } = await crawl(sim, { requestBudget: 1000 });
      expect(stats.requests).toBeLessThan(50);
      expect(stats.outOfBoxAnswers).toBe(0);
    });
  });
});

describe('empty world', () => {
  for (const [name, view] of [['full_count 0, no flights', { share: 0 }], ['a bare {}', { share: 0, bareEmpty: true }]] as const) {
    it(`an empty whole-globe answer (${name}) is retried, then counted as a failed cell saying what came back`, async () => {
      await withSim({ seed: 1, flights: 2000, view }, async (sim) => {
        const { stats, found } = await crawl(sim);
        expect(found.size).toBe(0);
        expect(sim.requestCounts().feed).toBe(base.retries + 1);
        expect(stats.failedCells).toHaveLength(1);
        expect(stats.failedCells[0]!.attempts).toBe(base.retries + 1);
        expect(stats.failedCells[0]!.error).toMatch(view.bareEmpty ? /cannot be empty \(no full_count/ : /cannot be empty \(full_count 0\)/);
      });
    });
  }

  it('a collapsed world is still crawled (judging it against history is the extract\'s job), reporting the globe\'s full_count', async () => {
    await withSim({ seed: 1, view: { share: 0.1 } }, async (sim) => {
      const { stats, found } = await crawl(sim);
      expect(found.size).toBe(2000);
      expect(stats.fullCount).toBe(2000);
      expect(stats.failedCells).toEqual([]);
    });
  });
});

describe('full_count: the feed total or each box\'s own count', () => {
  // The three kinds of feed: stats.visible counting the box before the cap; stats.visible counting only what
  // is in the answer and full_count the feed's total (every answer the same); full_count each box's own count.
  const kinds: Array<[string, SimOptions]> = [
    ['stats.visible counts the box', {}],
    ['full_count is the feed total, stats.visible only what is in view', { reportVisible: false, view: { fullCount: 'feed' } }],
    ['full_count is the box\'s own count', { reportVisible: false, view: { fullCount: 'box' } }],
  ];
  for (const [name, options] of kinds) {
    it(`${name}: every flight within 1.3 x ceil(flights / cap), plus the cluster's own cell and two strips`, async () => {
      for (const cluster of [false, undefined] as const) {
        await withSim({ seed: 1, cluster, ...options }, async (sim) => {
          const { stats, found } = await crawl(sim);
          const bound = Math.ceil(sim.world.flights.length / CAP);
          const clusterCost = cluster === false ? 0 : 3;
          expect(stats.requests).toBeLessThanOrEqual(1.3 * bound + clusterCost);
          // Every flight missed lies in a truncated cell (what the cap keeps out of the cluster's square).
          const missed = sim.world.flights.filter((f) => !found.has(f.id));
          expect(missed.every((f) => stats.truncatedCells.some((c) => f.lat >= c.south && f.lat <= c.north && f.lon >= c.west && f.lon <= c.east))).toBe(true);
          expect(stats.truncatedCells).toHaveLength(cluster === false ? 0 : 1);
        });
      }
    }, 60_000);
  }

  it('a feed whose full_count is the feed total: a 100k world crawled whole within 1.45 x the bound (1.7 x when the estimated counts were taken as exact)', async () => {
    await withSim({ seed: 1, flights: 100_000, cluster: false, reportVisible: false, view: { fullCount: 'feed' } }, async (sim) => {
      const { stats, found } = await crawl(sim);
      expect(stats.fullCountMeans).toBe('feed-total');
      expect(found).toEqual(new Set(sim.world.flights.map((f) => f.id)));
      expect(stats.requests).toBeLessThanOrEqual(1.45 * Math.ceil(100_000 / CAP));
    });
  }, 180_000);

  it('tells the two meanings apart from the answers (a world large enough for capped boxes below the globe)', async () => {
    for (const [fullCount, means] of [['feed', 'feed-total'], ['box', 'box-count']] as const) {
      await withSim({ seed: 1, flights: 50_000, cluster: false, reportVisible: false, view: { fullCount } }, async (sim) => {
        const { stats, found } = await crawl(sim);
        expect(stats.fullCountMeans).toBe(means);
        expect(stats.fullCount).toBe(50_000);
        expect(found.size).toBe(50_000);
        expect(stats.requests).toBeLessThanOrEqual(1.4 * Math.ceil(50_000 / CAP));
      });
    }
  }, 60_000);
});
