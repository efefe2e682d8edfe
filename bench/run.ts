/**
 * make bench: extraction against the original strategy, silver+gold per snapshot size and scale, and the seven
 * answers against DuckDB on the same Parquet, all in one run. Prints a Markdown table and writes it, with a chart,
 * under bench/results/. Brings up what it needs and leaves the stack as it found it. Not part of make test.
 *
 *   tsx bench/run.ts [only=extraction,transforms,answers,pipeline] [sizes=1000,20000,200000,2000000] [scales=1,2]
 *                    [repeats=3] [snapshots=30] [pipeline-sizes=20000,2000000] [cycle-flights=20000]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { grantBucket } from '../driver/store-access.js';
import { loadConfig, PROJECT_ROOT } from '../driver/config.js';
import { s3Client } from '../extract/s3.js';
import { compareStrategies, extractSnapshot, startFr24Sim, writeSyntheticBronze } from '../extract/index.js';
import { QUESTIONS, runAnswer, runGold, runSilver } from '../jobs/index.js';
import { bronzeKey, goldKey } from '../contracts/index.js';
import { goldPath } from '../jobs/paths.js';
import { SparkSession } from '../spark/index.js';
import { lineChartSvg } from './chart.js';
import { benchPipeline } from './pipeline.js';
import { connectJobs } from './spark-jobs.js';
import { duckdbAnswer, openDuckDb } from './duckdb-answers.js';
import { formatSeconds, markdownTable, peakRssDuring, summarize, timed, type Summary } from './stats.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const SIZES = (args.sizes ?? '1000,20000,200000,2000000').split(',').map(Number);
const SCALES = (args.scales ?? '1,2').split(',').map(Number);
const REPEATS = Number(args.repeats ?? 3);
const SNAPSHOTS = Number(args.snapshots ?? 30);
const PARTS = ['extraction', 'transforms', 'answers', 'pipeline'] as const;
const ONLY = new Set((args.only ?? PARTS.join(',')).split(','));
for (const part of ONLY) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`only=: unknown part '${part}' (known: ${PARTS.join(', ')})`);
const PIPELINE_SIZES = (args['pipeline-sizes'] ?? '20000,2000000').split(',').map(Number);
const CYCLE_FLIGHTS = Number(args['cycle-flights'] ?? 20_000);

const config = loadConfig();
const s3 = s3Client(config.minio);
// The benchmark's data goes to a bucket of its own, so it never mixes with the pipeline's snapshots.
const bucket = `${config.minio.bucket}-bench`;
const s3Settings = { ...config.minio, bucket };
const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

function stack(...words: string[]): string {
  return execFileSync('bash', ['spark/scripts/stack.sh', ...words], { cwd: PROJECT_ROOT, encoding: 'utf8' });
}

/**
 * The number of workers of this stack running now (0 when it is down), to leave it as it was found. Asked of the
 * stack's own master and Connect port, so it holds for either kind of stack (local processes or docker compose).
 */
async function runningScale(): Promise<number> {
  const connect = new URL(config.spark.connectUrl.replace(/^sc:/, 'http:'));
  if (!(await portOpen(connect.hostname, Number(connect.port)))) return 0;
  try {
    const response = await fetch(`http://127.0.0.1:${config.spark.masterWebUiPort}/json/`, { signal: AbortSignal.timeout(5_000) });
    const master = (await response.json()) as { workers?: { state: string; lastheartbeat: number }[] };
    // A worker stopped a moment ago stays ALIVE on the master until its heartbeat times out (a minute); workers
    // beat every 15 s by default.
    return (master.workers ?? []).filter((w) => w.state === 'ALIVE' && Date.now() - w.lastheartbeat < 30_000).length;
  } catch {
    return 0;
  }
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3_000 });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true)).once('error', () => done(false)).once('timeout', () => done(false));
  });
}

const loadAverages = () => loadavg().map((l) => l.toFixed(1)).join(', ');

async function withSpark<T>(work: (spark: SparkSession) => Promise<T>): Promise<T> {
  const spark = await SparkSession.builder().remote(config.spark.connectUrl).connectTimeoutMs(120_000).getOrCreate();
  try {
    return await work(spark);
  } finally {
    await spark.stop().catch(() => undefined);
  }
}

async function ensureBucketWithReference(): Promise<void> {
  // The pipeline's MinIO user may not create buckets: the root keys create it and grant it, as `make up` does.
  await grantBucket({ ...config.settings, MINIO_BUCKET: bucket });
  // Reference CSVs as the extractor writes them, from the same simulated airports the synthetic bronze uses.
  const sim = await startFr24Sim({ flights: 2000, seed: 7 });
  try {
    await extractSnapshot({
      fr24: { ...config.fr24, baseUrl: sim.url, requestCap: 1500, concurrency: 4, requestTimeoutMs: 15_000, retries: 2, minCellDeg: 0.25 },
      s3: s3Settings, snapshotTime: new Date(Date.UTC(2020, 0, 1)), refreshReference: true,
    });
  } finally {
    await sim.close();
  }
}

async function benchExtraction(): Promise<string> {
  log('extraction: grid vs original on the 20,000-flight world at 100 ms per request');
  const byStrategy = new Map<string, Awaited<ReturnType<typeof compareStrategies>>>();
  for (let i = 0; i < REPEATS; i++) {
    for (const run of await compareStrategies({ flights: 20_000, latencyMs: 100 })) {
      byStrategy.set(run.strategy, [...(byStrategy.get(run.strategy) ?? []), run]);
    }
  }
  const rows = [...byStrategy.entries()].map(([strategy, runs]) => {
    const r = runs[0]!;
    return [
      strategy, r.requests, r.lowerBound, (r.requests / r.lowerBound).toFixed(2), r.maxDepth,
      formatSeconds(summarize(runs.map((x) => x.wallMs))), `${r.flightsFound.toLocaleString('en-US')} / ${r.worldFlights.toLocaleString('en-US')}`,
      `${(100 * r.missedShare).toFixed(1)} %`,
    ];
  });
  return markdownTable(['strategy', 'requests', 'lower bound', '× bound', 'depth', 'wall time', 'flights captured', 'missed'], rows);
}

interface TransformFigure { size: number; scale: number; silver: Summary; gold: Summary; total: Summary; peakRssMiB: number }

async function benchTransforms(): Promise<TransformFigure[]> {
  const snapshotOf = (size: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, SIZES.indexOf(size)));
  for (const size of SIZES) {
    log(`synthetic bronze: ${size.toLocaleString('en-US')} flights`);
    await writeSyntheticBronze(size, 42, s3Settings, bronzeKey(snapshotOf(size)), { snapshotTime: snapshotOf(size) });
  }
  const figures: TransformFigure[] = [];
  for (const scale of SCALES) {
    log(`stack: scale=${scale}`);
    stack('up', String(scale));
    // Warm the cluster: executors up, classes loaded and JIT-compiled by one untimed cycle on the smallest snapshot.
    await withSpark(async (spark) => {
      const options = { bucket, snapshotTime: snapshotOf(SIZES[0]!) };
      await runSilver(spark, options);
      await runGold(spark, options);
    });
    for (const size of SIZES) {
      const silver: number[] = [], gold: number[] = [];
      const { peakMiB } = await peakRssDuring(() =>
        withSpark(async (spark) => {
          for (let i = 0; i < REPEATS; i++) {
            const options = { bucket, snapshotTime: snapshotOf(size) };
            silver.push((await timed(() => runSilver(spark, options))).ms);
            gold.push((await timed(() => runGold(spark, options))).ms);
          }
        }),
      );
      const total = silver.map((s, i) => s + gold[i]!);
      figures.push({ size, scale, silver: summarize(silver), gold: summarize(gold), total: summarize(total), peakRssMiB: peakMiB });
      log(`scale=${scale} size=${size}: silver+gold ${formatSeconds(summarize(total))}, driver peak RSS ${peakMiB.toFixed(0)} MiB`);
    }
  }
  return figures;
}

async function downloadParquet(prefix: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  for (const { Key: key } of page.Contents ?? []) {
    if (!key?.endsWith('.parquet')) continue;
    const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToByteArray();
    if (!body) throw new Error(`s3://${bucket}/${key} has no body`);
    writeFileSync(join(dir, key.slice(key.lastIndexOf('/') + 1)), body);
  }
}

async function benchAnswers(): Promise<{ table: string; agree: boolean }> {
  const hours = Array.from({ length: SNAPSHOTS }, (_, h) => new Date(Date.UTC(2030, 1, 1, h, 0, 0)));
  log(`answers: building ${SNAPSHOTS} hourly gold snapshots of 20,000 flights`);
  await withSpark(async (spark) => {
    for (const [i, t] of hours.entries()) {
      await writeSyntheticBronze(20_000, 1000 + i, s3Settings, bronzeKey(t), { snapshotTime: t });
      await runSilver(spark, { bucket, snapshotTime: t });
      await runGold(spark, { bucket, snapshotTime: t });
    }
  });
  const local = mkdtempSync(join(tmpdir(), 'fr-bench-gold-'));
  for (const [i, t] of hours.entries()) await downloadParquet(goldKey(t), join(local, String(i)));

  const duck = await openDuckDb();
  const rows: (string | number)[][] = [];
  let agree = true;
  try {
    for (const question of QUESTIONS) {
      const sparkMs: number[] = [], duckMs: number[] = [];
      await withSpark(async (spark) => {
        for (const [i, t] of hours.entries()) {
          const s = await timed(() => runAnswer(spark, question, goldPath(bucket, t)));
          const d = await timed(() => duckdbAnswer(duck, question.name, join(local, String(i), '*.parquet')));
          sparkMs.push(s.ms);
          duckMs.push(d.ms);
          if (JSON.stringify(s.value.map(normalize)) !== JSON.stringify(d.value.map(normalize))) {
            agree = false;
            log(`${question.name} @ ${t.toISOString()}: Spark and DuckDB disagree`);
          }
        }
      });
      const [sparkS, duckS] = [summarize(sparkMs), summarize(duckMs)];
      rows.push([question.name, formatSeconds(sparkS, 3), formatSeconds(duckS, 3), (sparkS.median / duckS.median).toFixed(1)]);
    }
  } finally {
    duck.closeSync();
    rmSync(local, { recursive: true, force: true });
  }
  return { table: markdownTable(['question', 'Spark (cluster)', 'DuckDB (local files)', 'Spark ÷ DuckDB'], rows), agree };
}

/** Rows compared as JSON: numbers rounded alike, bigint as number. */
function normalize(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? Number(v.toFixed(1)) : v]),
  );
}

async function main(): Promise<void> {
  const scaleBefore = await runningScale();
  log(`stack before: ${scaleBefore ? `up with ${scaleBefore} worker(s)` : 'down'}`);
  const started = Date.now();
  const loadAtStart = loadAverages();
  const sections: string[] = [];
  let chart = '';
  try {
    if (ONLY.has('extraction')) {
      sections.push(`## Extraction (FR24-compatible server, 20,000 flights, 100 ms per request, ${REPEATS} runs)\n\n${await benchExtraction()}`);
    }
    stack('up', String(SCALES[0] ?? 1));
    await ensureBucketWithReference();
    if (ONLY.has('pipeline')) {
      const jobs = await connectJobs(`http://127.0.0.1:${config.spark.masterWebUiPort}`);
      if (!jobs) log('WARNING: the Connect application\'s web UI was not found: Spark jobs are not counted');
      const table = await benchPipeline({
        config: { ...config, minio: s3Settings }, s3, sizes: PIPELINE_SIZES, repeats: REPEATS, cycleFlights: CYCLE_FLIGHTS, jobs, log,
      });
      sections.push(`## Silver and gold inside pipeline runs, and whole cycles (warm cluster, scale=${SCALES[0] ?? 1}, ${REPEATS} runs each)\n\n${table}`);
    }
    if (ONLY.has('transforms')) {
      const figures = await benchTransforms();
      sections.push(
        `## Silver + gold per snapshot: the runners alone, one session, spread layout, no answers table (synthetic bronze, warm cluster, ${REPEATS} runs)\n\n` +
          markdownTable(
            ['flights', 'scale', 'silver', 'gold', 'silver + gold', 'driver peak RSS'],
            figures.map((f) => [f.size.toLocaleString('en-US'), f.scale, formatSeconds(f.silver), formatSeconds(f.gold), formatSeconds(f.total), `${f.peakRssMiB.toFixed(0)} MiB`]),
          ),
      );
      chart = lineChartSvg(
        'silver + gold wall time (median)', 'flights per snapshot (log scale)', 'seconds',
        SCALES.map((scale) => ({
          label: `scale=${scale}`,
          points: figures.filter((f) => f.scale === scale).map((f) => ({ x: f.size, y: f.total.median / 1000 })),
        })),
      );
    }
    if (ONLY.has('answers')) {
      const answers = await benchAnswers();
      sections.push(
        `## The seven answers over ${SNAPSHOTS} hourly gold snapshots of 20,000 flights (time per snapshot; scale=${SCALES[SCALES.length - 1]})\n\n` +
          `${answers.table}\n\nSpark and DuckDB answers agree on every snapshot: ${answers.agree ? 'yes' : 'NO'}`,
      );
    }
  } finally {
    log(`restoring the stack: ${scaleBefore ? `scale=${scaleBefore}` : 'down'}`);
    stack(...(scaleBefore ? ['up', String(scaleBefore)] : ['down']));
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  const partial = ONLY.size < PARTS.length ? ` Parts run: ${[...ONLY].join(', ')}.` : '';
  const chartLink = chart ? `\n\n![silver+gold](chart-${stamp}.svg)` : '';
  const report = `# flight-radar benchmark, ${new Date().toISOString()}\n\nMedian of the runs, (min–max) beside it. Total bench time ${((Date.now() - started) / 60000).toFixed(1)} min.${partial} Load average (1, 5, 15 min) at the start ${loadAtStart}, at the end ${loadAverages()}, on ${cpus().length} cores: the absolute times mean little above a load of about the number of cores.\n\n${sections.join('\n\n')}${chartLink}\n`;
  const out = join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `bench-${stamp}.md`), report);
  if (chart) writeFileSync(join(out, `chart-${stamp}.svg`), chart);
  // latest.* (linked from the README) only ever holds a complete run.
  if (!partial) {
    writeFileSync(join(out, 'latest.md'), report.replace(`chart-${stamp}.svg`, 'latest.svg'));
    writeFileSync(join(out, 'latest.svg'), chart);
  }
  process.stdout.write(report);
}

await main();
