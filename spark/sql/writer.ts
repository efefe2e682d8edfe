/**
 * df.write: runs a WriteOperation command on the cluster (the data goes from the executors to storage;
 * nothing passes through Node). Resolves when Spark has committed the output (for S3A, the committer's
 * `_SUCCESS` is written by then).
 */
import { WriteOperation_SaveMode as SaveMode } from '../gen/spark/connect/commands_pb.js';
import type { DataFrame } from './dataframe.js';
import { DataSourceOptions } from './options.js';

export type SaveModeName = 'append' | 'overwrite' | 'error' | 'errorifexists' | 'ignore';

const SAVE_MODES: Record<SaveModeName, SaveMode> = {
  append: SaveMode.APPEND,
  overwrite: SaveMode.OVERWRITE,
  error: SaveMode.ERROR_IF_EXISTS,
  errorifexists: SaveMode.ERROR_IF_EXISTS,
  ignore: SaveMode.IGNORE,
};

export class DataFrameWriter extends DataSourceOptions {
  private saveMode: SaveMode = SaveMode.ERROR_IF_EXISTS;
  private source?: string;
  private partitionColumns: string[] = [];

  constructor(private readonly df: DataFrame) {
    super();
  }

  /** 'error' (the default, as in Spark), 'overwrite', 'append' or 'ignore'. */
  mode(mode: SaveModeName): this {
    const m = SAVE_MODES[mode.toLowerCase() as SaveModeName];
    if (m === undefined) throw new Error(`write.mode: unknown save mode '${mode}' (known: ${Object.keys(SAVE_MODES).join(', ')})`);
    this.saveMode = m;
    return this;
  }
  format(source: string): this {
    this.source = source;
    return this;
  }
  partitionBy(...cols: (string | string[])[]): this {
    this.partitionColumns = cols.flat();
    return this;
  }

  /** Writes with the chosen format (default: Spark's spark.sql.sources.default, Parquet) to `path`. */
  async save(path?: string): Promise<void> {
    await this.df.sparkSession.runCommand({
      case: 'writeOperation',
      value: {
        input: this.df.relation,
        source: this.source,
        saveType: path === undefined ? { case: undefined } : { case: 'path', value: path },
        mode: this.saveMode,
        partitioningColumns: this.partitionColumns,
        options: { ...this.opts },
      },
    });
  }
  parquet(path: string): Promise<void> {
    return this.format('parquet').save(path);
  }
  csv(path: string): Promise<void> {
    return this.format('csv').save(path);
  }
}
