import type { SparkSession } from '../spark/index.js';

/**
 * Names what a session's Spark jobs belong to — `flight-radar`, then `key=value` tags such as run, stage and
 * snapshot — so they can be found on the Connect server's UI (Connect tab) and in its REST API (`jobTags`).
 */
export function tagSession(spark: SparkSession, labels: Record<string, string>): void {
  spark.addTag('flight-radar');
  for (const [key, value] of Object.entries(labels)) spark.addTag(`${key}=${value.replace(/,/g, ' ')}`);
}

/** Added in the gold stage once gold is written: the jobs of the answers table (jobs/answers/table.ts). */
export const ANSWERS_TABLE_TAG = 'step=answers-table';

