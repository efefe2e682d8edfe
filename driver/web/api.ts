/**
 * What the status page's JSON endpoints answer, from the run manifests and the stored answers tables only:
 * a page view reads a few small objects from the bucket and starts no Spark job.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import { listSnapshots, readStoredAnswers, type StoredSnapshot } from '../history.js';
import { recentManifests, type RunManifest } from '../manifest.js';
import { buildTrend, hourLabel, hourSlots, parseHourRange, type Trend } from '../trends.js';
import { UsageError } from '../usage-error.js';
import { QUESTIONS, questionsFor, UnknownQuestionError, type AnswerRow } from '../../jobs/index.js';
import { newestSnapshot, parseAtHour, SnapshotArgumentError } from '../../contracts/index.js';
import { goldPath } from '../../jobs/paths.js';

/** A request the API cannot answer as asked (400), or a snapshot it does not have (404). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Maps the shared argument errors of trends and answers to 400 with their message. */
function badRequest<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UsageError || error instanceof SnapshotArgumentError || error instanceof UnknownQuestionError) {
      throw new ApiError(400, error.message);
    }
    throw error;
  }
}

/** One run as the page shows it: the manifest's figures, flattened; the manifest itself for the detail view. */
export interface RunView {
  runId: string;
  snapshotTime: string;
  status: RunManifest['status'];
  partial: boolean;
  backfill: boolean;
  durationMs: number | null;
  stageStatus: Record<'extract' | 'silver' | 'gold', string>;
  stageSeconds: Record<'extract' | 'silver' | 'gold', number | null>;
  /** Flights in gold (else the newest stage that counted them). */
  flights: number | null;
  requests: number | null;
  /** The fewest requests that could fetch this many flights: one per FR24 answer cap. */
  requestsLowerBound: number | null;
  cells: number | null;
  truncatedCells: number | null;
  failedCells: number | null;
  quarantinedRows: number | null;
  errors: string[];
  manifest: RunManifest;
}

const numberOr = (v: unknown) => (typeof v === 'number' ? v : null);

export function runView(run: RunManifest, requestCap: number): RunView {
  const { extract, silver, gold } = run.stages;
  const seconds = (ms?: number) => (ms === undefined ? null : Math.round(ms / 100) / 10);
  return {
    runId: run.runId,
    snapshotTime: run.snapshotTime,
    status: run.status,
    partial: run.partial,
    backfill: run.backfill,
    durationMs: run.durationMs ?? null,
    stageStatus: { extract: extract.status, silver: silver.status, gold: gold.status },
    stageSeconds: { extract: seconds(extract.durationMs), silver: seconds(silver.durationMs), gold: seconds(gold.durationMs) },
    flights: gold.rowsOut ?? silver.rowsOut ?? extract.rowsOut ?? null,
    requests: extract.requests ?? null,
    requestsLowerBound: extract.rowsOut === undefined ? null : Math.max(1, Math.ceil(extract.rowsOut / requestCap)),
    cells: numberOr(extract.details.cells),
    truncatedCells: numberOr(extract.details.truncatedCells),
    failedCells: numberOr(extract.details.failedCells),
    quarantinedRows: silver.quarantinedRows ?? null,
    errors: run.errors,
    manifest: run,
  };
}

/** At most this many runs per answer: the page charts a few weeks of hourly runs. */
export const MAX_RUNS = 1000;

export async function runsApi(s3: S3Client, config: Config, limitText?: string) {
  const limit = limitText === undefined ? 200 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUNS) throw new ApiError(400, `limit must be a whole number from 1 to ${MAX_RUNS}`);
  const { runs, unreadable } = await recentManifests(s3, config.minio.bucket, limit);
  return { runs: runs.map((run) => runView(run, config.fr24.requestCap)), unreadable };
}

export function infoApi(config: Config) {
  const host = (url: string) => new URL(url.replace(/^\w+:/, 'http:')).hostname;
  return {
    bucket: config.minio.bucket,
    links: {
      sparkMasterUi: `http://${host(config.spark.masterUrl)}:${config.spark.masterWebUiPort}/`,
      minioConsole: `http://${host(config.minio.endpoint)}:${config.settings.MINIO_CONSOLE_PORT}/`,
    },
    questions: QUESTIONS.map(({ name, description, columns }) => ({ name, description, columns })),
  };
}

export async function snapshotsApi(s3: S3Client, bucket: string) {
  return { snapshots: (await listSnapshots(s3, bucket)).map((s) => ({ time: s.time.toISOString(), hasAnswers: s.hasAnswers })).reverse() };
}

/** The seven stored answers of the newest snapshot (of the hour `at`), each as `run-answers format=json` prints it. */
export async function answersApi(s3: S3Client, bucket: string, at?: string) {
  const hour = at ? badRequest(() => parseAtHour(at)) : undefined;
  const snapshots = await listSnapshots(s3, bucket);
  const time = newestSnapshot(snapshots.map((s) => s.time), hour);
  if (!time) throw new ApiError(404, `no complete gold snapshot${at ? ` for ${at} UTC` : ''} in bucket ${bucket}`);
  const stored = await readStoredAnswers(s3, bucket, time);
  if (!stored) {
    throw new ApiError(
      404,
      `snapshot ${time.toISOString()} has no stored answers (gold written before answers were kept): ` +
        `make backfill from=${hourLabel(time)} to=${hourLabel(time)} stage=gold writes them, or make run-answers at=${hourLabel(time)} computes them`,
    );
  }
  const snapshot = goldPath(bucket, time);
  return {
    snapshotTime: time.toISOString(),
    answers: QUESTIONS.map((q) => ({ question: q.name, snapshot, rows: stored.get(q.name) ?? [] })),
  };
}

/** A question's trend from the stored answers; snapshots without an answers table are named, not computed. */
export async function trendsApi(
  s3: S3Client,
  bucket: string,
  query: { question?: string; from?: string; to?: string; last?: string },
): Promise<Trend & { withoutAnswers: string[] }> {
  const question = badRequest(() => questionsFor(query.question ?? ''))[0]!;
  const range = badRequest(() => parseHourRange({ from: query.from, to: query.to, last: query.from || query.to ? query.last : (query.last ?? '24h') }))!;
  const slots = hourSlots(range, await listSnapshots(s3, bucket));
  const rows = new Map<number, AnswerRow[]>();
  const answered = slots.flatMap((s) => (s.snapshot?.hasAnswers ? [s.snapshot] : []));
  // A few reads at a time: a month of hours is 744 small objects.
  for (let i = 0; i < answered.length; i += 8) {
    await Promise.all(
      answered.slice(i, i + 8).map(async (snapshot: StoredSnapshot) => {
        rows.set(snapshot.time.getTime(), (await readStoredAnswers(s3, bucket, snapshot.time, [question]))?.get(question.name) ?? []);
      }),
    );
  }
  const trend = buildTrend(question, range, slots, (time) => rows.get(time.getTime()) ?? []);
  const withoutAnswers = slots.filter((s) => s.snapshot && !s.snapshot.hasAnswers).map((s) => hourLabel(s.hour));
  // An hour whose snapshot has no stored answers has no rows to show: it is not a zero.
  for (const h of trend.hours) if (withoutAnswers.includes(h.hour)) delete h.rows;
  return { ...trend, withoutAnswers };
}
