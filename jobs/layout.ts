/**
 * How a stage lays its input out across the cluster, chosen from the input's size.
 *
 * Every Spark job costs a scheduling round, a task launch and generated code, and every shuffle and every
 * broadcast is a job of its own (jobs/README.md). An hourly snapshot of the world is a few megabytes: read as
 * one partition, it needs no shuffle (a de-duplication window, an aggregation or a window over one partition
 * already has every row it needs), so a stage is one job per output. A large input is spread over the cores
 * instead, where the shuffles pay for themselves.
 */
export type Layout = 'one partition' | 'spread';

/**
 * The largest input read as one partition: Spark's advisory partition size
 * (`spark.sql.adaptive.advisoryPartitionSizeInBytes`, 64 MiB), the size adaptive execution would coalesce a
 * shuffle of such an input to anyway.
 */
export const ONE_PARTITION_MAX_BYTES = 64 * 1024 * 1024;

/** The layout for an input of `bytes` (unknown: spread, which suits any size). */
export function layoutFor(bytes: number | undefined): Layout {
  return bytes !== undefined && bytes <= ONE_PARTITION_MAX_BYTES ? 'one partition' : 'spread';
}
