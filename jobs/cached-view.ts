/**
 * A cached temporary view rather than `persist()`: CACHE TABLE is eager, so the plan is computed once into the
 * cluster's memory right here (a bad bronze file fails at this line, not in the middle of the job), and every
 * later query over the view reads that copy.
 */
import type { DataFrame, SparkSession } from '../spark/index.js';

export interface CachedFrame {
  frame: DataFrame;
  /** Drops the in-memory copy and the view. */
  release(): Promise<void>;
}

let counter = 0;

export async function cacheFrame(spark: SparkSession, df: DataFrame, label: string): Promise<CachedFrame> {
  const view = `${label}_${process.pid}_${++counter}`;
  await df.createOrReplaceTempView(view);
  await spark.sql(`CACHE TABLE ${view}`).collect();
  return {
    frame: spark.table(view),
    release: async () => {
      await spark.sql(`UNCACHE TABLE IF EXISTS ${view}`).collect();
      await spark.sql(`DROP VIEW IF EXISTS ${view}`).collect();
    },
  };
}
