/** spark.read: a DataFrame over files (CSV, Parquet, or any format Spark reads via format().load()) read by the cluster; nothing is read until an action. */
import type { SparkSession } from './session.js';
import { DataFrame } from './dataframe.js';
import { StructType } from './types.js';
import { DataSourceOptions } from './options.js';

export class DataFrameReader extends DataSourceOptions {
  private source?: string;
  private schemaDDL?: string;

  constructor(private readonly session: SparkSession) {
    super();
  }

  format(source: string): this {
    this.source = source;
    return this;
  }
  /** The schema to read with, as DDL (`id STRING, n INT`) or a StructType; without it, CSV columns are strings. */
  schema(schema: string | StructType): this {
    this.schemaDDL = typeof schema === 'string' ? schema : schema.toDDL();
    return this;
  }
  load(...paths: (string | string[])[]): DataFrame {
    return DataFrame.make(this.session, {
      case: 'read',
      value: {
        readType: {
          case: 'dataSource',
          value: { format: this.source, schema: this.schemaDDL, options: { ...this.opts }, paths: paths.flat() },
        },
      },
    });
  }
  csv(...paths: (string | string[])[]): DataFrame {
    return this.format('csv').load(...paths);
  }
  parquet(...paths: (string | string[])[]): DataFrame {
    return this.format('parquet').load(...paths);
  }
  table(name: string): DataFrame {
    return DataFrame.make(this.session, {
      case: 'read',
      value: { readType: { case: 'namedTable', value: { unparsedIdentifier: name, options: { ...this.opts } } } },
    });
  }
}
