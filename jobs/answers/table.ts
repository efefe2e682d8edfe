/**
 * The answers table of a snapshot: the rows of every question in one frame, written once by the gold stage so
 * later readers (run-answers, trends, the status page) need no query over gold. One row per answer row:
 * `question`, its `position` in that answer, the snapshot time, and the question's own columns (the columns of
 * the other questions are null).
 */
import { F, type DataFrame } from '../../spark/index.js';
import { QUESTIONS, type Question } from './index.js';

export const ANSWERS_TABLE_KEYS = ['question', 'position', 'snapshot_time'] as const;

/**
 * Every question over one gold snapshot, as one plan written once. Each question reads gold as a single
 * partition: its aggregations, windows and sorts then need no shuffle, and the union of single partitions is one
 * partition (one file), so the table is one task scanning gold once per question and writing its answers,
 * instead of a Spark job for every shuffle of every question. Gold's rows stream through the task, never held.
 */
export function answersTable(gold: DataFrame, snapshotTime: Date, questions: readonly Question[] = QUESTIONS): DataFrame {
  const onePartition = gold.coalesce(1);
  return questions
    .map((q) => questionRows(q, q.plan(onePartition), snapshotTime))
    .reduce((all, next) => all.unionByName(next, true))
    .coalesce(1);
}

/**
 * One question's rows with the table's keys. The ids are taken right after the question's own ordering, so they
 * keep it (the sort's partitions come in order); a reader sorts by `position` to get the answer as it was.
 */
export function questionRows(question: Question, rows: DataFrame, snapshotTime: Date): DataFrame {
  return rows.select(
    F.lit(question.name).alias('question'),
    F.monotonically_increasing_id().alias('position'),
    F.lit(snapshotTime).alias('snapshot_time'),
    ...question.columns.map((c) => F.col(c)),
  );
}
