import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Config } from './config.js';
import { createS3Client, deletePrefix } from './s3.js';
import { stampOf } from '../contracts/index.js';
import { SparkSession, F } from '../spark/index.js';
import { connectSpark } from './spark-session.js';

type Verdict = { ok: boolean; line: string };

const hostOf = (url: string) => new URL(url.replace(/^(sc|spark):/, 'http:')).hostname;
const portOf = (url: string) => Number(new URL(url.replace(/^(sc|spark):/, 'http:')).port);

async function timed<T>(work: () => Promise<T>, ms: number): Promise<T> {
  return Promise.race([work(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))]);
}

/**
 * `make doctor`: checks each part of the running stack, one line per check, and ends with one JSON line.
 * The round trip writes a small Parquet through Spark Connect and the magic committer, then reads it back.
 */
export async function runDoctor(config: Config): Promise<number> {
  const summary: Record<string, string | number> = {};
  const lines: Verdict[] = [];
  const s3 = createS3Client(config.minio);

  try {
    const ready = await timed(() => fetch(`${config.minio.endpoint}/minio/health/ready`), 3000);
    summary.minio = ready.ok ? 'ready' : `http ${ready.status}`;
  } catch (error) {
    summary.minio = 'down';
  }
  lines.push({ ok: summary.minio === 'ready', line: `minio      ${config.minio.endpoint}: ${summary.minio}` });

  const masterUi = `http://${hostOf(config.spark.masterUrl)}:${config.spark.masterWebUiPort}/json/`;
  try {
    const state = (await (await timed(() => fetch(masterUi), 3000)).json()) as { workers: { state: string }[] };
    summary.workers = state.workers.filter((w) => w.state === 'ALIVE').length;
  } catch {
    summary.workers = 0;
  }
  lines.push({ ok: Number(summary.workers) > 0, line: `master     ${masterUi}: ${summary.workers} ALIVE worker(s)` });

  const net = await import('node:net');
  summary.connect = await new Promise<string>((resolve) => {
    const socket = net.connect(portOf(config.spark.connectUrl), hostOf(config.spark.connectUrl));
    socket.setTimeout(3000);
    socket.once('connect', () => (socket.destroy(), resolve('open')));
    socket.once('timeout', () => (socket.destroy(), resolve('closed')));
    socket.once('error', () => resolve('closed'));
  });
  lines.push({ ok: summary.connect === 'open', line: `connect    ${config.spark.connectUrl}: ${summary.connect}` });

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
      summary.roundtrip = `failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    } finally {
      await spark?.stop().catch(() => undefined);
      await deletePrefix(s3, config.minio.bucket, prefix).catch(() => undefined);
    }
  }
  lines.push({ ok: summary.roundtrip === 'ok', line: `roundtrip  parquet via Spark Connect to s3a://${config.minio.bucket}/_doctor/: ${summary.roundtrip}` });
  lines.push({ ok: summary.committer === 'magic', line: `committer  _SUCCESS names: ${summary.committer}` });

  for (const { ok, line } of lines) process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${line}\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return lines.every((l) => l.ok) ? 0 : 1;
}
