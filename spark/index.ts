/**
 * The public API of our Spark Connect client (PySpark-shaped, camelCase). This is the only module other parts
 * of the project import from spark/: nothing outside spark/ touches gRPC, protobuf, Arrow or generated code.
 *
 *   const spark = await SparkSession.builder().remote('sc://127.0.0.1:15002').connectTimeoutMs(10_000).getOrCreate();
 *   const rows = await spark.read.schema('id STRING, n INT').option('header', 'true').csv('s3a://b/x.csv')
 *     .groupBy('id').agg(F.sum('n').alias('total')).orderBy(F.col('total').desc()).collect();
 *   await spark.stop();
 */
export { SparkSession, SparkSessionBuilder, RuntimeConfig, type SessionOptions } from './sql/session.js';
export { DataFrame, GroupedData, type JoinHow, type ExplainModeName } from './sql/dataframe.js';
export { DataFrameReader } from './sql/reader.js';
export { DataFrameWriter, type SaveModeName } from './sql/writer.js';
export { Observation, ObservationNotReadyError } from './sql/observation.js';
export { Column, type ColumnLike, type LiteralValue } from './sql/column.js';
export { Window, WindowSpec } from './sql/window.js';
export * as F from './sql/functions.js';
export { StructType, type StructField } from './sql/types.js';
export { LocalDataError, type Row } from './sql/arrow.js';
export { ChannelUrlError } from './transport/url.js';
export {
  SparkError,
  SparkAnalysisError,
  SparkRuntimeError,
  SparkInterruptedError,
  SparkConnectionError,
  SparkStreamStalledError,
  SparkAuthenticationError,
} from './errors.js';
