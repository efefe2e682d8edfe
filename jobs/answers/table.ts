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
  return questions
    .map((q) => questionRows(q, q.plan(input), snapshotTime))
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
