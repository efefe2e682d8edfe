/** A Spark Connect session with the bounds the settings give (connect deadline, call deadline, reattach limit). */
import type { Config } from './config.js';
import { SparkSession } from '../spark/index.js';

export function connectSpark(spark: Config['spark']): Promise<SparkSession> {
  return SparkSession.builder()
    .remote(spark.connectUrl)
    .connectTimeoutMs(spark.connectTimeoutMs)
    .callTimeoutMs(spark.callTimeoutMs)
    .maxReattaches(spark.maxReattaches)
    .getOrCreate();
}
