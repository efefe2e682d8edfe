/**
 * Compares extraction strategies on the synthetic world at a given latency per request and prints a table:
 *   tsx extract/sim/compare-strategies.ts [--flights 20000] [--latency-ms 100] [--seed 1] [--concurrency 4] [--json]
 * grid/adaptive is the product's default; grid/quad splits every capped cell in four; original is the
 * first project's strategy (named zones only, split only on exactly the cap, one request at a time).
 */
import { parseArgs } from 'node:util';
import { crawlFeed, type CrawlOptions } from '../crawl/crawl.js';
import { startFr24Sim } from './server.js';

export interface StrategyRun {
  strategy: string;
  requests: number;
  maxDepth: number;
  wallMs: number;
  flightsFound: number;
  worldFlights: number;
  missedShare: number;
  truncatedCells: number;
  lowerBound: number;
}

export async function compareStrategies(opts: { flights?: number; latencyMs?: number; seed?: number; concurrency?: number; cap?: number; minCellDeg?: number }): Promise<StrategyRun[]> {
  const cap = opts.cap ?? 1500;
  const sim = await startFr24Sim({ seed: opts.seed ?? 1, flights: opts.flights ?? 20_000, latencyMs: opts.latencyMs ?? 100, cap });
  const variants: Array<[string, Partial<CrawlOptions>]> = [
    ['grid/adaptive', { strategy: 'grid', split: 'adaptive' }],
    ['grid/quad', { strategy: 'grid', split: 'quad' }],
    ['original', { strategy: 'original' }],
  ];
  const runs: StrategyRun[] = [];
  try {
    for (const [name, variant] of variants) {
      sim.resetCounts();
      const started = Date.now();
      const ids = new Set<string>();
      const stats = await crawlFeed({
        baseUrl: sim.url,
        requestCap: cap,
        concurrency: opts.concurrency ?? 4,
        requestTimeoutMs: 15_000,
        retries: 4,
        minCellDeg: opts.minCellDeg ?? 0.25,
        ...variant,
        onRecords: (records) => records.forEach(([id]) => ids.add(id)),
      });
      const world = sim.world.flights.length;
      runs.push({
        strategy: name,
        requests: stats.requests,
        maxDepth: stats.maxDepth,
        wallMs: Date.now() - started,
        flightsFound: ids.size,
        worldFlights: world,
        missedShare: (world - ids.size) / world,
        truncatedCells: stats.truncatedCells.length,
        lowerBound: Math.ceil(world / cap),
      });
    }
  } finally {
    await sim.close();
  }
  return runs;
}

export function formatRuns(runs: StrategyRun[]): string {
  const header = ['strategy', 'requests', 'x lower bound', 'depth', 'wall s', 'found', 'missed', 'truncated cells'];
  const rows = runs.map((r) => [
    r.strategy, String(r.requests), (r.requests / r.lowerBound).toFixed(2), String(r.maxDepth), (r.wallMs / 1000).toFixed(2),
    `${r.flightsFound}/${r.worldFlights}`, `${(100 * r.missedShare).toFixed(1)}%`, String(r.truncatedCells),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ')).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      flights: { type: 'string', default: '20000' },
      'latency-ms': { type: 'string', default: '100' },
      seed: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '4' },
      json: { type: 'boolean', default: false },
    },
  });
  compareStrategies({
    flights: Number(values.flights),
    latencyMs: Number(values['latency-ms']),
    seed: Number(values.seed),
    concurrency: Number(values.concurrency),
  })
    .then((runs) => console.log(values.json ? JSON.stringify(runs) : `latency ${values['latency-ms']} ms, concurrency ${values.concurrency}, ${values.flights} flights\n${formatRuns(runs)}`))
    .catch((error: unknown) => {
      // compareStrategies has closed its server already: the process ends on its own with this code.
      console.error(`compare-strategies: ${(error as Error).message}`);
      process.exitCode = 1;
    });
}
