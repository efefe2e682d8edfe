/**
 * The answers table of a snapshot: the rows of every question in one frame, written once by the gold stage so
 * later readers (run-answers, trends, the status page) need no query over gold. One row per answer row:
 * `question`, its `position` in that answer, the snapshot time, and the question's own columns (the columns of
 * the other questions are null).
 */
import { F, type DataFrame } from '../../spark/index.js';
import { QUESTIONS, type Question } from './index.js';
import type { Layout } from '../layout.js';

export const ANSWERS_TABLE_KEYS = ['question', 'position', 'snapshot_time'] as const;

/**
 * Every question over one gold snapshot, as one plan written once as one file.
 *
 * - `one partition` (an hourly snapshot): each question reads gold as a single partition, so its aggregations,
 *   windows and sorts need no shuffle and the union of single partitions is one partition: the table is one task
 *   scanning gold once per question, instead of a Spark job for every shuffle of every question.
 * - `spread` (a large snapshot): each question aggregates gold's partitions in parallel and shuffles only its
 *   partial counts; the small answers are gathered into one partition to be written.
 */
export function answersTable(gold: DataFrame, snapshotTime: Date, layout: Layout, questions: readonly Question[] = QUESTIONS): DataFrame {
  const input = layout === 'one partition' ? gold.coalesce(1) : gold;
  const rows = questions
    .map((q) => numberedRows(q, q.plan(input)))
    .reduce((all, next) => all.unionByName(next, true))
    .coalesce(1);
  // The snapshot time is added once, after the union: Spark compiles a time literal into the code it generates for
  // the plan that holds it, so in every question's plan it would cost seven compilations per snapshot (about 0.2 s
  // of a 20,000-flight gold stage) instead of one.
  return atSnapshot(rows, snapshotTime, [...new Set(questions.flatMap((q) => q.columns))]);
}

/**
 * One question's rows with the table's keys. The ids are taken right after the question's own ordering, so they
 * keep it (the sort's partitions come in order); a reader sorts by `position` to get the answer as it was.
 */
export function questionRows(question: Question, rows: DataFrame, snapshotTime: Date): DataFrame {
  return atSnapshot(numberedRows(question, rows), snapshotTime, question.columns);
}

function numberedRows(question: Question, rows: DataFrame): DataFrame {
  return rows.select(F.lit(question.name).alias('question'), F.monotonically_increasing_id().alias('position'), ...question.columns.map((c) => F.col(c)));
}

function atSnapshot(rows: DataFrame, snapshotTime: Date, columns: readonly string[]): DataFrame {
  return rows.select(F.col('question'), F.col('position'), F.lit(snapshotTime).alias('snapshot_time'), ...columns.map((c) => F.col(c)));
}
