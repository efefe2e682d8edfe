/**
 * `make run-answers question=Q [at=YYYY-MM-DDTHH] [format=table|json]`: answers the business questions of
 * docs/SPEC.md §4 on a gold snapshot; with `from=`/`to=` or `last=24h` (and `format=csv`), one question's trend over
 * the snapshot hours of that range.
 *
 * The snapshot is found by listing the bucket: a gold directory with `_SUCCESS` is complete, but it is published
 * only when its run's manifest says the run succeeded with every stage's checks passed and no FR24 cell missing
 * (gold's `_SUCCESS` is written before gold's own row check). The newest published one wins (within the hour of
 * `at=` when given); `allow-partial=1` takes the newest complete one whatever its run says, and says so.
 * Its answers are read from the answers table the gold stage wrote next to it; only a snapshot without one
 * (older than that table) is answered from gold on the cluster.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from './config.js';
import { flagArg } from './args.js';
import { UsageError } from './usage-error.js';
import { readManifest } from './manifest.js';
import { listKeys } from './s3.js';
import { s3Client } from '../extract/s3.js';
import { textTable } from './table.js';
import { listSnapshots, readStoredAnswers, unpublishedReason } from './history.js';
import { connectSpark } from './spark-session.js';
import { tagSession } from './spark-tags.js';
import { buildTrend, hourLabel, hourSlots, parseHourRange, trendCsv, type HourRange, type Trend } from './trends.js';
import { ALL, answer, openGold, questionHelp, questionsFor, runTrend, UnknownQuestionError, type AnswerRow, type Question } from '../jobs/index.js';
import {
  GOLD_PREFIX,
  goldHourPrefix,
  parseAtHour,
  snapshotTimeOfGoldSuccessKey,
  SnapshotArgumentError,
} from '../contracts/index.js';
import { answersPath, goldPath } from '../jobs/paths.js';

/** No complete gold snapshot where the user asked (the CLI prints the message and exits non-zero). */
export class SnapshotNotFoundError extends UsageError {
  override name = 'SnapshotNotFoundError';
}

export interface AnswerArgs {
  /** A question name, `all`, or `--help`. */
  question: string;
  at?: string;
  format: 'table' | 'json' | 'csv';
  /** Answer a snapshot whose run failed, was interrupted or is partial (it is said on stderr). */
  allowPartial: boolean;
  /** from=/to=/last=: a trend of one question over these hours instead of one snapshot. */
  range?: HourRange;
}

const FORMATS = ['table', 'json', 'csv'] as const;

export function parseAnswerArgs(args: Record<string, string>, now = new Date()): AnswerArgs {
  const question = args.question?.trim() || ALL;
  const format = (args.format?.trim() || 'table').toLowerCase() as AnswerArgs['format'];
  if (!FORMATS.includes(format)) throw new UsageError(`format must be table, json or csv, got '${args.format}'`);
  // `make run-answers question=--help` arrives as question=--help; `help=true` comes from a bare --help word.
  const help = question === '--help' || question === 'help' || args.help === 'true';
  const at = args.at?.trim() || undefined;
  const blank = (v?: string) => (v?.trim() ? v.trim() : undefined);
  const range = help ? undefined : parseHourRange({ from: blank(args.from), to: blank(args.to), last: blank(args.last) }, now);
  if (range && at) throw new UsageError('give either at= (one snapshot) or from=/to=/last= (a trend), not both');
  if (range && question === ALL) throw new UsageError(`a trend is of one question: question=NAME with from=/to=/last= (question=--help lists them)`);
  if (!range && format === 'csv') throw new UsageError('format=csv is for trends (from=/to=/last=); use table or json for one snapshot');
  return { question: help ? '--help' : question, at, format, allowPartial: flagArg(args, 'allow-partial'), range };
}

/** Every complete gold snapshot (times) under a prefix, read from the `_SUCCESS` markers. */
export async function listGoldSnapshots(s3: S3Client, bucket: string, prefix = GOLD_PREFIX): Promise<Date[]> {
  return (await listKeys(s3, bucket, prefix)).flatMap((key) => snapshotTimeOfGoldSuccessKey(key) ?? []);
}

export interface ResolvedSnapshot {
  snapshotTime: Date;
  path: string;
  /** Why the snapshot is not a published one (answered only with allow-partial=1); undefined when it is. */
  unpublished?: string;
  /** Newer complete snapshots passed over, each with why. */
  skipped: string[];
}

/**
 * The newest published gold snapshot, or the newest one of the hour `at`; with `allowPartial`, the newest complete
 * one whatever its run says. A clear error when there is none, naming the unpublished ones passed over.
 */
export async function resolveGoldSnapshot(s3: S3Client, bucket: string, at?: string, allowPartial = false): Promise<ResolvedSnapshot> {
  let hour: Date | undefined;
  try {
    hour = at === undefined ? undefined : parseAtHour(at);
  } catch (error) {
    if (error instanceof SnapshotArgumentError) throw new UsageError(error.message);
    throw error;
  }
  const times = (await listGoldSnapshots(s3, bucket, hour ? goldHourPrefix(hour) : GOLD_PREFIX)).sort((a, b) => b.getTime() - a.getTime());
  const skipped: string[] = [];
  // Newest first; manifests are read one at a time and only until a published snapshot is found.
  for (const snapshotTime of times) {
    const unpublished = await readManifest(s3, bucket, snapshotTime).then(unpublishedReason, (error: unknown) => `its run manifest is unreadable (${String(error)})`);
    const path = goldPath(bucket, snapshotTime);
    if (!unpublished || allowPartial) return { snapshotTime, path, unpublished, skipped };
    skipped.push(`${path}: ${unpublished}`);
  }
  const where = hour ? `for ${at} UTC in s3://${bucket}/${goldHourPrefix(hour)}` : `in s3://${bucket}/${GOLD_PREFIX}`;
  if (skipped.length > 0) {
    throw new SnapshotNotFoundError(
      `no published gold snapshot ${where}: ${skipped.join('; ')}. A snapshot is published when its run succeeded with all its checks; ` +
        `allow-partial=1 answers the newest of these anyway`,
    );
  }
  throw new SnapshotNotFoundError(
    hour
      ? `no complete gold snapshot ${where} (a snapshot is complete when its _SUCCESS exists); omit at= for the newest one`
      : `no complete gold snapshot ${where} yet: run the pipeline first (make run-main once=1)`,
  );
}

/** Distances print with one decimal; other values as they are. */
const cell = (column: string, v: AnswerRow[string]) =>
  v === null ? '' : typeof v === 'number' && column.endsWith('_km') ? v.toFixed(1) : String(v);

/** A titled plain-text table of answer rows (numbers right-aligned). */
export function formatTable(title: string, columns: readonly string[], rows: AnswerRow[]): string {
  const texts = rows.map((row) => columns.map((c) => cell(c, row[c] ?? null)));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((row) => row[c] === null || typeof row[c] === 'number'));
  return [title, textTable(columns, texts, numeric), ...(texts.length > 0 ? [] : ['(no rows)'])].join('\n');
}

export interface AnswerOutput {
  question: string;
  snapshot: string;
  rows: AnswerRow[];
}

interface RunAnswersDeps {
  write?: (text: string) => void;
  /** Where notes about the snapshot go (stderr), so stdout stays the answers alone. */
  note?: (text: string) => void;
  s3?: S3Client;
}

/**
 * The command: prints the answers and resolves to the exit code (0). Bad arguments and missing snapshots
 * throw UsageError subclasses with a message a user can act on; the CLI maps them to a non-zero exit.
 */
export async function runAnswers(config: Config, rawArgs: Record<string, string>, deps: RunAnswersDeps = {}): Promise<number> {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  const note = deps.note ?? ((text: string) => process.stderr.write(text));
  const args = parseAnswerArgs(rawArgs);
  if (args.question === '--help') {
    write(`${questionHelp()}\n`);
    return 0;
  }
  let questions: Question[];
  try {
    questions = questionsFor(args.question);
  } catch (error) {
    if (error instanceof UnknownQuestionError) throw new UsageError(error.message);
    throw error;
  }
  const s3 = deps.s3 ?? s3Client(config.minio);
  if (args.range) {
    const trend = await clusterTrend(config, s3, questions[0]!, args.range);
    write(`${args.format === 'json' ? JSON.stringify(trend) : args.format === 'csv' ? trendCsv(trend) : trendTable(trend)}\n`);
    return 0;
  }
  const snapshot = await resolveGoldSnapshot(s3, config.minio.bucket, args.at, args.allowPartial);
  for (const passed of snapshot.skipped) note(`note: passed over ${passed}\n`);
  if (snapshot.unpublished) note(`warning: answering ${snapshot.path} although ${snapshot.unpublished} (allow-partial=1)\n`);
  const print = (question: Question, rows: AnswerRow[], i: number) => {
    if (args.format === 'json') {
      write(`${JSON.stringify({ question: question.name, snapshot: snapshot.path, rows } satisfies AnswerOutput)}\n`);
    } else {
      const title = `${question.name}: ${question.description}\n(snapshot ${snapshot.path})`;
      write(`${i > 0 ? '\n' : ''}${formatTable(title, question.columns, rows)}\n`);
    }
  };
  // The answers the gold stage stored: one small read, no Spark session.
  const stored = await readStoredAnswers(s3, config.minio.bucket, snapshot.snapshotTime, questions);
  if (stored) {
    questions.forEach((question, i) => print(question, stored.get(question.name) ?? [], i));
    return 0;
  }
  const spark = await connectSpark(config.spark);
  tagSession(spark, { stage: 'run-answers', question: args.question, snapshot: snapshot.snapshotTime.toISOString() });
  try {
    // Opened once for every question; cached in the cluster's memory when several questions read it.
    const { gold, close } = await openGold(spark, snapshot.path, { cache: questions.length > 1 });
    try {
      for (const [i, question] of questions.entries()) print(question, await answer(question, gold), i);
    } finally {
      await close(); // the cached gold leaves the cluster's memory even when a question failed
    }
  } finally {
    await spark.stop().catch(() => undefined);
  }
  return 0;
}

/** The trend of one question, computed on the cluster in one query over the stored answers (gold where none). */
async function clusterTrend(config: Config, s3: S3Client, question: Question, range: HourRange): Promise<Trend> {
  const { bucket } = config.minio;
  const slots = hourSlots(range, await listSnapshots(s3, bucket));
  const sources = slots.flatMap(({ snapshot }) =>
    snapshot
      ? [{ snapshotTime: snapshot.time, goldPath: goldPath(bucket, snapshot.time), answersPath: snapshot.hasAnswers ? answersPath(bucket, snapshot.time) : undefined }]
      : [],
  );
  let rows = new Map<number, AnswerRow[]>();
  if (sources.length > 0) {
    const spark = await connectSpark(config.spark);
    tagSession(spark, { stage: 'trend', question: question.name, snapshots: `${hourLabel(range.from)}..${hourLabel(range.to)}` });
    try {
      rows = await runTrend(spark, question, sources);
    } finally {
      await spark.stop().catch(() => undefined);
    }
  }
  return buildTrend(question, range, slots, (time) => rows.get(time.getTime()) ?? []);
}

/** `format=table`: one line per answer row, the hour first; an hour without a complete snapshot says so. */
export function trendTable(trend: Trend): string {
  const rows = trend.hours.flatMap(({ hour, rows }) =>
    rows === undefined
      ? [{ hour: `${hour} missing`, ...Object.fromEntries(trend.columns.map((c) => [c, null])) }]
      : rows.map((row) => ({ hour, ...row })),
  );
  const title =
    `${trend.question}: per snapshot hour, ${trend.from} to ${trend.to} UTC` +
    (trend.missing.length > 0 ? `\n${trend.missing.length} hour(s) without a complete snapshot: ${trend.missing.join(', ')}` : '');
  return formatTable(title, ['hour', ...trend.columns], rows);
}
