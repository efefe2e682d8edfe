import { GetObjectCommand } from '@aws-sdk/client-s3';
import { redact, type Config } from './config.js';
import { probeStack } from './health.js';
import { deletePrefix } from './s3.js';
import { s3Client } from '../extract/s3.js';
import { stampOf } from '../contracts/index.js';
import { SparkAuthenticationError, SparkSession, F } from '../spark/index.js';
import { connectSpark } from './spark-session.js';

type Verdict = { ok: boolean; line: string };

const errorLine = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0] : String(error));

/**
 * `make doctor`: checks each part of the running stack, one line per check, and ends with one JSON line.
 * The round trip writes a small Parquet through Spark Connect and the magic committer, then reads it back.
 */
export async function runDoctor(config: Config): Promise<number> {
  const summary: Record<string, string | number> = {};
  const lines: Verdict[] = [];
  const s3 = s3Client(config.minio);

  const health = await probeStack(config);
  summary.minio = health.minio;
  lines.push({ ok: summary.minio === 'ready', line: `minio      ${config.minio.endpoint}: ${summary.minio}` });
  summary.workers = health.aliveWorkers ?? 0;
  lines.push({ ok: summary.workers > 0, line: `master     ${health.masterUi}: ${summary.workers} ALIVE worker(s)` });
  summary.connect = health.connect;
  lines.push({ ok: summary.connect === 'open', line: `connect    ${config.settings.SPARK_CONNECT_URL}: ${summary.connect}` });

  // A server that answers without the token would run anyone's plans with the store's keys.
  summary.auth = 'skipped';
  if (summary.connect === 'open') {
    const anonymous = config.settings.SPARK_CONNECT_URL.replace(/\/?;.*$/, '');
    try {
      const session = await SparkSession.builder().remote(anonymous).connectTimeoutMs(config.spark.connectTimeoutMs).getOrCreate();
      await session.sql('SELECT 1').collect();
      await session.stop().catch(() => undefined);
      summary.auth = 'OPEN: a request without the token ran';
    } catch (error) {
      summary.auth = error instanceof SparkAuthenticationError ? 'token required' : `unexpected: ${errorLine(error)}`;
    }
  }
  lines.push({ ok: summary.auth === 'token required', line: `auth       Spark Connect without the token: ${summary.auth}` });

  summary.roundtrip = 'skipped';
  summary.committer = 'unknown';
  if (summary.connect === 'open' && summary.minio === 'ready') {
    const prefix = `_doctor/${stampOf(new Date())}-${process.pid}/`;
    const path = `s3a://${config.minio.bucket}/${prefix}`;
    let spark: SparkSession | undefined;
    try {
      spark = await connectSpark(config.spark);
      const rows = 1000;
      await spark.range(rows).withColumn('square', F.col('id').multiply(F.col('id'))).write.mode('overwrite').parquet(path);
      const back = await spark.read.parquet(path).agg(F.count(F.lit(1)).alias('n'), F.sum('square').alias('s')).collect();
      const expectedSum = ((rows - 1) * rows * (2 * rows - 1)) / 6;
      const ok = Number(back[0]?.n) === rows && Number(back[0]?.s) === expectedSum;
      summary.roundtrip = ok ? 'ok' : `mismatch (${JSON.stringify(back[0])})`;
      const success = await s3.send(new GetObjectCommand({ Bucket: config.minio.bucket, Key: `${prefix}_SUCCESS` }));
      const text = (await success.Body?.transformToString()) ?? '';
      summary.committer = text.trim() ? String(JSON.parse(text).committer ?? 'unknown') : 'none (empty _SUCCESS: not the S3A committer)';
    } catch (error) {
      summary.roundtrip = `failed: ${errorLine(error)}`;
    } finally {
      await spark?.stop().catch(() => undefined);
      await deletePrefix(s3, config.minio.bucket, prefix).catch(() => undefined);
    }
  }
  lines.push({ ok: summary.roundtrip === 'ok', line: `roundtrip  parquet via Spark Connect to s3a://${config.minio.bucket}/_doctor/: ${summary.roundtrip}` });
  lines.push({ ok: summary.committer === 'magic', line: `committer  _SUCCESS names: ${summary.committer}` });

  // Values of secret settings never reach the output, whatever a server put in its messages.
  for (const { ok, line } of lines) process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${redact(line, config.settings)}\n`);
  process.stdout.write(`${redact(JSON.stringify(summary), config.settings)}\n`);
  return lines.every((l) => l.ok) ? 0 : 1;
}
