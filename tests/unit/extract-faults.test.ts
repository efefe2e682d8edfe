/**
 * Every fault the FR24-compatible server can inject is survived: the crawl retries (with backoff, honouring
 * Retry-After) and still delivers every flight; a cell that keeps failing marks the snapshot partial and
 * names the cell while the rest goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlFeed, startFr24Sim, type FaultKind, type FaultRule, type Fr24Sim } from '../../extract/index.js';

const CAP = 400;
let sim: Fr24Sim;

beforeAll(async () => {
  sim = await startFr24Sim({ seed: 11, flights: 4000, cap: CAP, cluster: false });
});
afterAll(() => sim.close());

async function crawlWith(faults: FaultRule[], extra: Partial<Parameters<typeof crawlFeed>[0]> = {}) {
  sim.setFaults(faults);
  sim.resetCounts();
  const found = new Set<string>();
  const started = Date.now();
  const stats = await crawlFeed({
    baseUrl: sim.url,
    requestCap: CAP,
    concurrency: 4,
    requestTimeoutMs: 2000,
    retries: 6,
    minCellDeg: 0.25,
    backoff: { baseDelayMs: 5, maxDelayMs: 50 },
    onRecords: (records) => records.forEach(([id]) => found.add(id)),
    ...extra,
  });
  return { stats, found, ms: Date.now() - started, faults: sim.faultCounts() };
}

const cases: Array<[FaultKind, FaultRule, Partial<Parameters<typeof crawlFeed>[0]>?]> = [
  ['rate-limit', { kind: 'rate-limit', rate: 0.3, retryAfterS: 0 }],
  ['cloudflare', { kind: 'cloudflare', rate: 0.3 }],
  ['server-error', { kind: 'server-error', rate: 0.4 }],
  ['timeout', { kind: 'timeout', rate: 0.2, holdMs: 10_000 }, { requestTimeoutMs: 600 }],
  ['truncated', { kind: 'truncated', rate: 0.3 }],
  ['empty', { kind: 'empty', rate: 0.3 }],
];

describe('injected faults', () => {
  it.each(cases)('%s: every flight still arrives, through retries', async (kind, rule, extra) => {
    const { stats, found, faults } = await crawlWith([rule], extra);
    expect(faults[kind] ?? 0).toBeGreaterThan(0);
    expect(stats.failedCells).toEqual([]);
    expect(found.size).toBe(sim.world.flights.length);
    expect(stats.retries).toBe(faults[kind]);
    expect(stats.requests).toBe(sim.requestCounts().feed);
  });

  it('an empty answer on the very first request (whole globe, full_count > 0) is retried, not believed', async () => {
    const { found, stats } = await crawlWith([{ kind: 'empty', firstN: 2 }]);
    expect(stats.retries).toBe(2);
    expect(found.size).toBe(sim.world.flights.length);
  });

  it('latency: slow answers are waited for', async () => {
    const { found, stats, ms } = await crawlWith([{ kind: 'latency', rate: 0.3, latencyMs: 150 }]);
    expect(found.size).toBe(sim.world.flights.length);
    expect(stats.retries).toBe(0);
    expect(ms).toBeGreaterThanOrEqual(150);
  });

  it('malformed arrays in an answer do not stop the crawl', async () => {
    const { found, stats, faults } = await crawlWith([{ kind: 'malformed', rate: 0.5 }]);
    expect(faults.malformed ?? 0).toBeGreaterThan(0);
    expect(stats.failedCells).toEqual([]);
    expect(found.size).toBe(sim.world.flights.length);
  });

  it('429 with Retry-After: the retry waits at least that long', async () => {
    const { found, stats, ms } = await crawlWith([{ kind: 'rate-limit', firstN: 1, retryAfterS: 1 }]);
    expect(stats.retries).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(found.size).toBe(sim.world.flights.length);
  });

  it('cells that still fail after their retries are named, the rest goes on', async () => {
    // The first answer (the whole globe) comes through, then every box holding Frankfurt fails.
    const fra = { lat: 50.0379, lon: 8.5622 };
    const { stats, found } = await crawlWith([{ kind: 'server-error', skip: 1, near: fra }], { retries: 2 });
    expect(stats.failedCells.length).toBe(1);
    const failed = stats.failedCells[0]!;
    expect(fra.lat >= failed.south && fra.lat <= failed.north && fra.lon >= failed.west && fra.lon <= failed.east).toBe(true);
    expect(failed.label).toMatch(/^\[[-0-9.]+,[-0-9.]+,[-0-9.]+,[-0-9.]+\]$/);
    expect(failed.attempts).toBe(3);
    expect(failed.error).toMatch(/50\d|520/);
    // Everything outside the failed cell still arrived.
    const outside = sim.world.flights.filter((f) => !(f.lat >= failed.south && f.lat <= failed.north && f.lon >= failed.west && f.lon <= failed.east));
    expect(outside.every((f) => found.has(f.id))).toBe(true);
    expect(stats.cells).toBeGreaterThan(3);
  });
});
