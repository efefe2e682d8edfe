/**
 * `make run-answers question=Q [at=YYYY-MM-DDTHH] [format=table|json]`: answers the business questions of
 * SPEC §4 on a gold snapshot, as DataFrame plans run on the cluster.
 *
 * The snapshot is found by listing the bucket: only a gold directory with `_SUCCESS` is complete; the newest
 * one wins (within the hour of `at=` when given). Its answers are read from the answers table the gold stage
 * wrote next to it; only a snapshot without one (older than that table) is answered from gold on the cluster.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from './config.js';
import { UsageError } from './usage-error.js';
import { createS3Client, listKeys } from './s3.js';
import { textTable } from './table.js';
import { readStoredAnswers } from './history.js';
import { connectSpark } from './spark-session.js';
import { ALL, answer, openGold, questionHelp, questionsFor, UnknownQuestionError, type AnswerRow, type Question } from '../jobs/index.js';
import {
  GOLD_PREFIX,
  goldHourPrefix,
  newestSnapshot,
  parseAtHour,
  snapshotTimeOfGoldSuccessKey,
  SnapshotArgumentError,
} from '../contracts/index.js';
import { goldPath } from '../jobs/paths.js';

/** No complete gold snapshot where the user asked (the CLI prints the message and exits non-zero). */
export class SnapshotNotFoundError extends UsageError {
  override name = 'SnapshotNotFoundError';
}

export interface AnswerArgs {
  /** A question name, `all`, or `--help`. */
  question: string;
  at?: string;
  format: 'table' | 'json';
}

export function parseAnswerArgs(args: Record<string, string>): AnswerArgs {
  const question = args.question?.trim() || ALL;
  const format = (args.format?.trim() || 'table').toLowerCase();
  if (format !== 'table' && format !== 'json') throw new UsageError(`format must be table or json, got '${args.format}'`);
  // `make run-answers question=--help` arrives as question=--help; `help=true` comes from a bare --help word.
  const help = question === '--help' || question === 'help' || args.help === 'true';
  return { question: help ? '--help' : question, at: args.at?.trim() || undefined, format };
}

/** Every complete gold snapshot (times) under a prefix, read from the `_SUCCESS` markers. */
export async function listGoldSnapshots(s3: S3Client, bucket: string, prefix = GOLD_PREFIX): Promise<Date[]> {
  return (await listKeys(s3, bucket, prefix)).flatMap((key) => snapshotTimeOfGoldSuccessKey(key) ?? []);
}

export interface ResolvedSnapshot {
  snapshotTime: Date;
  path: string;
}

/** The newest complete gold snapshot, or the newest one of the hour `at`; a clear error when there is none. */
export async function resolveGoldSnapshot(s3: S3Client, bucket: string, at?: string): Promise<ResolvedSnapshot> {
  let hour: Date | undefined;
  try {
    hour = at === undefined ? undefined : parseAtHour(at);
  } catch (error) {
    if (error instanceof SnapshotArgumentError) throw new UsageError(error.message);
    throw error;
  }
  const times = await listGoldSnapshots(s3, bucket, hour ? goldHourPrefix(hour) : GOLD_PREFIX);
  const snapshotTime = newestSnapshot(times, hour);
  if (!snapshotTime) {
    throw new SnapshotNotFoundError(
      hour
        ? `no complete gold snapshot for ${at} UTC in s3://${bucket}/${goldHourPrefix(hour)} (a snapshot is complete when its _SUCCESS exists); ` +
            `omit at= for the newest one`
        : `no complete gold snapshot in s3://${bucket}/${GOLD_PREFIX} yet: run the pipeline first (make run-main once=1)`,
    );
  }
  return { snapshotTime, path: goldPath(bucket, snapshotTime) };
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
  s3?: S3Client;
}

/**
 * The command: prints the answers and resolves to the exit code (0). Bad arguments and missing snapshots
 * throw UsageError subclasses with a message a user can act on; the CLI maps them to a non-zero exit.
 */
export async function runAnswers(config: Config, rawArgs: Record<string, string>, deps: RunAnswersDeps = {}): Promise<number> {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
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
  const s3 = deps.s3 ?? createS3Client(config.minio);
  const snapshot = await resolveGoldSnapshot(s3, config.minio.bucket, args.at);
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
