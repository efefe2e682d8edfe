/**
 * Silver and gold as the pipeline runs them (the driver's stages, their sessions and checks, one manifest per
 * run), per snapshot size, and whole run-main cycles on the FR24-compatible simulator; with the Spark jobs each
 * stage started, read from the Connect application's UI after the run (never inside the timed part).
 */
import { CopyObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../driver/config.js';
import { createLogger } from '../driver/logger.js';
import type { RunManifest, StageName } from '../driver/manifest.js';
import { runPipeline, type Stage } from '../driver/pipeline.js';
import { deletePrefix } from '../driver/s3.js';
import { PipelineSpark } from '../driver/pipeline-spark.js';
import { pipelineStages } from '../driver/stages.js';
import { startFr24Sim, writeSyntheticBronze } from '../extract/index.js';
import { answersKey, bronzeKey, goldKey, quarantineKey, silverKey } from '../contracts/index.js';
import { loadavg } from 'node:os';
import { ANSWERS_TABLE_TAG } from '../driver/spark-tags.js';
import { jobHasTag, jobsBetween, lastJobId, type SparkJob, type SparkJobs } from './spark-jobs.js';
import { formatSeconds, markdownTable, summarize } from './stats.js';

export interface PipelineBenchOptions {
  config: Config; // with the bench's bucket
  s3: S3Client;
  sizes: number[];
  repeats: number;
  cycleFlights: number;
  jobs?: SparkJobs;
  log: (message: string) => void;
}

/** The Spark jobs counted apart: silver's, gold's own, and the answers table's (written in the gold stage). */
type JobGroup = 'silver' | 'gold' | 'answers table';
const JOB_GROUPS: JobGroup[] = ['silver', 'gold', 'answers table'];

interface RunFigures {
  ms: Partial<Record<StageName | 'run', number>>;
  jobs: Partial<Record<JobGroup, SparkJob[]>>;
  /** The machine's 1-minute load average when the run started: the times mean little without it. */
  load: number;
}

const SPARK_STAGES: StageName[] = ['silver', 'gold'];
const WARM_FLIGHTS = 20_000;
let nextSnapshot = Date.UTC(2031, 0, 1);
/** A snapshot time no earlier run used, so a run never meets another's output. */
const freshSnapshot = () => new Date((nextSnapshot += 60_000));

async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'NotFound') return false;
    throw error;
  }
}

type StagesOf = (snapshotTime: Date, spark: PipelineSpark) => Stage[];

/**
 * One pipeline run as run-main runs it: on `kept`, the session the earlier runs used (as run-main's schedule and
 * backfill keep theirs), else on a session of its own, closed at the end (as a `run-main once=1` process).
 */
async function runOnce(
  options: PipelineBenchOptions,
  snapshotTime: Date,
  stagesOf: StagesOf,
  { kept, backfill = false }: { kept?: PipelineSpark; backfill?: boolean } = {},
): Promise<RunFigures> {
  const { config, s3, jobs } = options;
  const before = jobs ? await lastJobId(jobs) : -1;
  const load = loadavg()[0]!;
  const spark = kept ?? new PipelineSpark(config.spark);
  spark.startRun();
  let stages: Stage[] = [];
  let manifest: RunManifest;
  try {
    manifest = await runPipeline({
      snapshotTime,
      source: 'bench',
      stagesFor: (claimed) => (stages = stagesOf(claimed, spark)),
      s3,
      bucket: config.minio.bucket,
      logger: createLogger({ level: 'warn', file: config.log.file }),
      stageRetries: 0,
      stageDeadlineMs: config.schedule.stageDeadlineMs,
      signal: new AbortController().signal,
      backfill, // silver and gold of a bronze file put there by the bench, as `make backfill` runs them
    });
  } finally {
    if (!kept) await spark.close();
  }
  if (manifest.status !== 'succeeded') throw new Error(`bench run ${snapshotTime.toISOString()} ${manifest.status}: ${manifest.errors.join('; ')}`);
  const figures: RunFigures = { ms: { run: manifest.durationMs }, jobs: {}, load };
  await new Promise((resolve) => setTimeout(resolve, 500)); // the UI learns of a job through Spark's listener bus
  const all = jobs ? await jobs.list() : [];
  for (const stage of stages) {
    const record = manifest.stages[stage.name];
    figures.ms[stage.name] = record.durationMs;
    if (!jobs || !record.startedAt || !record.endedAt || stage.name === 'extract') continue;
    const stageJobs = jobsBetween(all, before, record.startedAt, record.endedAt);
    const answers = (j: SparkJob) => jobHasTag(j, ANSWERS_TABLE_TAG);
    if (stage.name === 'silver') figures.jobs.silver = stageJobs;
    else {
      figures.jobs.gold = stageJobs.filter((j) => !answers(j));
      figures.jobs['answers table'] = stageJobs.filter(answers);
    }
  }
  const claimed = new Date(manifest.snapshotTime);
  for (const key of [bronzeKey, silverKey, goldKey, quarantineKey, answersKey]) await deletePrefix(s3, config.minio.bucket, key(claimed));
  return figures;
}

/** The median number of jobs, and the tasks of each job of the last run (jobs/README.md says what each job is). */
function jobSummary(runs: RunFigures[], group: JobGroup): { count: string; names: string[] } {
  const lists = runs.map((r) => r.jobs[group]).filter((j): j is SparkJob[] => j !== undefined);
  if (!lists.length) return { count: 'n/a', names: [] };
  const counts = lists.map((j) => j.length);
  const median = summarize(counts).median;
  const spread = Math.min(...counts) === Math.max(...counts) ? '' : ` (${Math.min(...counts)}–${Math.max(...counts)})`;
  return { count: `${median}${spread}`, names: lists[lists.length - 1]!.map((j) => String(j.numTasks)) };
}

const seconds = (runs: RunFigures[], pick: (r: RunFigures) => number | undefined) =>
  formatSeconds(summarize(runs.map((r) => pick(r) ?? Number.NaN)));

const HEADER = [
  '', 'silver + gold stages', 'silver stage', 'gold stage (with the answers table)', 'whole run', 'extract stage', 'load average (1 min)',
  'Spark jobs: silver', 'gold', 'answers table',
];

/** One row of the table for a series of runs, and the tasks of each Spark job of its last run. */
function seriesRow(label: string, runs: RunFigures[]): { row: string[]; jobNames: string[] } {
  const load = summarize(runs.map((r) => r.load));
  const jobs = JOB_GROUPS.map((g) => jobSummary(runs, g));
  const row = [
    label,
    seconds(runs, (r) => (r.ms.silver ?? Number.NaN) + (r.ms.gold ?? Number.NaN)),
    seconds(runs, (r) => r.ms.silver),
    seconds(runs, (r) => r.ms.gold),
    seconds(runs, (r) => r.ms.run),
    runs.some((r) => r.ms.extract !== undefined) ? seconds(runs, (r) => r.ms.extract) : '',
    `${load.median.toFixed(1)} (${load.min.toFixed(1)}–${load.max.toFixed(1)})`,
    ...jobs.map((j) => j.count),
  ];
  return { row, jobNames: JOB_GROUPS.map((g, i) => `${label}, ${g}: ${jobs[i]!.names.join(', ')}`) };
}

export async function benchPipeline(options: PipelineBenchOptions): Promise<string> {
  const { config, s3, sizes, repeats, log } = options;
  const { bucket } = config.minio;
  const sparkStages: StagesOf = (snapshotTime, spark) =>
    pipelineStages({ config, s3, spark, snapshotTime }).filter((s) => (SPARK_STAGES as string[]).includes(s.name));

  const rows: string[][] = [];
  const jobNames: string[] = [];
  const addSeries = (label: string, runs: RunFigures[]) => {
    const series = seriesRow(label, runs);
    rows.push(series.row);
    jobNames.push(...series.jobNames);
    log(series.row.join(' | '));
  };
  // The warm-up run needs no big snapshot: classes and JIT are what it warms.
  const warmSize = Math.min(...sizes, WARM_FLIGHTS);
  const template = new Map<number, string>();
  for (const size of new Set([warmSize, ...sizes])) {
    // Kept in the bench bucket between benches: 2 million rows take minutes to generate on a busy machine.
    const key = `bench-template/bronze-${size}-seed42.csv`;
    if (!(await objectExists(s3, bucket, key))) {
      log(`synthetic bronze: ${size.toLocaleString('en-US')} flights`);
      await writeSyntheticBronze(size, 42, config.minio, key, { snapshotTime: new Date(Date.UTC(2031, 0, 1)) });
    }
    template.set(size, key);
  }
  const copyBronze = async (size: number, snapshotTime: Date) =>
    s3.send(new CopyObjectCommand({ Bucket: bucket, CopySource: `${bucket}/${template.get(size)}`, Key: bronzeKey(snapshotTime) }));

  // The runs of one session, as run-main's schedule keeps it between cycles.
  const kept = new PipelineSpark(config.spark);
  try {
    // Warm: executors up, classes loaded and JIT-compiled by one untimed run on a small snapshot.
    const warm = freshSnapshot();
    await copyBronze(warmSize, warm);
    await runOnce(options, warm, sparkStages, { kept, backfill: true });

    for (const size of sizes) {
      const runs: RunFigures[] = [];
      for (let i = 0; i < repeats; i++) {
        const t = freshSnapshot();
        await copyBronze(size, t);
        runs.push(await runOnce(options, t, sparkStages, { kept, backfill: true }));
      }
      addSeries(`silver + gold, ${size.toLocaleString('en-US')} flights, kept session`, runs);
    }
  } finally {
    await kept.close();
  }

  log(`run-main cycles on the simulator (${options.cycleFlights.toLocaleString('en-US')} flights)`);
  const sim = await startFr24Sim({ host: '127.0.0.1', port: 0, flights: options.cycleFlights });
  const cycleStages: StagesOf = (snapshotTime, spark) => pipelineStages({ config, s3, spark, snapshotTime, fr24BaseUrl: sim.url });
  const scheduled = new PipelineSpark(config.spark);
  try {
    // A `run-main once=1` process opens a session of its own; run-main's schedule keeps one between cycles.
    for (const [what, kept] of [['new session', undefined], ['kept session', scheduled]] as const) {
      if (kept) await runOnce(options, freshSnapshot(), cycleStages, { kept }); // untimed: the session's first cycle compiles
      const runs: RunFigures[] = [];
      for (let i = 0; i < repeats; i++) runs.push(await runOnce(options, freshSnapshot(), cycleStages, { kept }));
      addSeries(`run-main cycle, sim ${options.cycleFlights.toLocaleString('en-US')} flights, ${what}`, runs);
    }
  } finally {
    await scheduled.close();
    await sim.close();
  }

  const table = markdownTable(HEADER, rows);
  const jobsNote = options.jobs
    ? `Tasks of each Spark job, last run of each series (the jobs are those submitted while the stage ran: the bench must be the stack's only client):\n\n${jobNames.map((n) => `- ${n}`).join('\n')}`
    : 'Spark jobs: NOT COUNTED — the Connect application\'s web UI was not found on ports 4040–4056 (a compose stack does not publish it: run the bench on STACK=local).';
  return `${table}\n\n${jobsNote}`;
}
