/**
 * Reads and writes through the cluster to MinIO (s3a://), with the S3A magic committer; large collects across
 * many Arrow batches; the Connect application as the master reports it.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F, SparkAnalysisError, SparkSession } from '../../spark/index.js';
import { loadConfig } from '../../driver/config.js';
import { deletePrefix, listKeys } from '../../driver/s3.js';
import { s3Client } from '../../extract/s3.js';

const url = process.env.SPARK_CONNECT_URL ?? 'sc://127.0.0.1:15002';
const bucket = process.env.MINIO_BUCKET ?? 'flights';
const prefix = `tests/spark-client-io/${Date.now()}-${process.pid}`;
const base = `s3a://${bucket}/${prefix}`;
let spark: SparkSession;
let s3: S3Client;

const keysUnder = (p: string) => listKeys(s3, bucket, p);
async function text(key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await object.Body?.transformToString()) ?? '';
}

beforeAll(async () => {
  s3 = s3Client(loadConfig().minio);
  spark = await SparkSession.builder().remote(url).getOrCreate();
  await spark.conf.set('spark.sql.session.timeZone', 'UTC');
});
afterAll(async () => {
  await spark?.stop();
  if (s3) await deletePrefix(s3, bucket, `${prefix}/`);
});

describe('Parquet through the magic committer', () => {
  it('leaves a JSON _SUCCESS naming the magic committer and reads back equal', async () => {
    const n = 5000;
    const df = spark
      .range(n)
      .withColumn('sq', F.col('id').multiply(F.col('id')))
      .withColumn('label', F.concat_ws('-', F.lit('row'), F.col('id').cast('string')))
      .withColumn('part', F.col('id').mod(3));
    const path = `${base}/magic.parquet`;
    await df.write.mode('overwrite').partitionBy('part').parquet(path);

    const success = JSON.parse(await text(`${prefix}/magic.parquet/_SUCCESS`)) as { committer?: string };
    expect(success.committer).toBe('magic');
    const keys = await keysUnder(`${prefix}/magic.parquet/`);
    for (const p of [0, 1, 2]) expect(keys.some((k) => k.includes(`/part=${p}/`) && k.endsWith('.parquet'))).toBe(true);
    expect(keys.some((k) => k.includes('__magic'))).toBe(false);

    const back = await spark.read.parquet(path).orderBy('id').collect();
    expect(back).toEqual(Array.from({ length: n }, (_, id) => ({ id, sq: id * id, label: `row-${id}`, part: id % 3 })));
  });

  it('honours save modes: error, ignore, append, overwrite', async () => {
    const path = `${base}/modes.parquet`;
    await spark.range(10).write.mode('error').parquet(path);
    await expect(spark.range(10).write.mode('error').parquet(path)).rejects.toBeInstanceOf(SparkAnalysisError);
    await spark.range(99).write.mode('ignore').parquet(path);
    expect(await spark.read.parquet(path).count()).toBe(10);
    await spark.range(5).write.mode('append').parquet(path);
    expect(await spark.read.parquet(path).count()).toBe(15);
    await spark.range(3).write.mode('overwrite').format('parquet').save(path);
    expect(await spark.read.parquet(path).count()).toBe(3);
  });
});

describe('CSV', () => {
  it('writes CSV with options and reads it back with a schema and options', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: `f${i}`, name: i % 7 === 0 ? 'has, comma "quoted"' : `n${i}`, alt: i * 100 }));
    const path = `${base}/people.csv`;
    await spark
      .createDataFrame(rows, 'id STRING, name STRING, alt INT')
      .coalesce(1)
      .write.mode('overwrite')
      .option('header', 'true')
      .options({ quote: '"', escape: '"' })
      .csv(path);
    const keys = await keysUnder(`${prefix}/people.csv/`);
    const file = keys.find((k) => k.endsWith('.csv'))!;
    expect((await text(file)).split('\n')[0]).toBe('id,name,alt');

    const back = await spark.read
      .schema('id STRING, name STRING, alt INT')
      .option('header', 'true')
      .options({ quote: '"', escape: '"', mode: 'FAILFAST' })
      .csv(path)
      .orderBy(F.col('alt'))
      .collect();
    expect(back).toEqual(rows);
    // Without a schema, CSV columns are strings.
    expect(await spark.read.option('header', true).csv(path).dtypes()).toEqual([
      ['id', 'string'],
      ['name', 'string'],
      ['alt', 'string'],
    ]);
  });
});

describe('large collect', () => {
  it('returns exactly 200,000 rows spread over many Arrow batches', async () => {
    const n = 200_000;
    const df = spark.range(0, n, 1, 8).select(F.col('id'), F.col('id').multiply(3).alias('triple'), F.col('id').cast('string').alias('s'));
    let batches = 0;
    let seen = 0;
    let sum = 0n;
    for await (const batch of df.toArrowBatches()) {
      batches++;
      seen += batch.numRows;
      for (const v of batch.getChild('triple')!) sum += BigInt(v as bigint);
    }
    expect(batches).toBeGreaterThan(1);
    expect(seen).toBe(n);
    expect(sum).toBe(3n * BigInt((n * (n - 1)) / 2));

    const started = performance.now();
    const rows = await df.collect();
    const seconds = (performance.now() - started) / 1000;
    expect(rows.length).toBe(n);
    const ids = new Set<number>();
    for (const r of rows) {
      expect(r.triple).toBe((r.id as number) * 3);
      expect(r.s).toBe(String(r.id));
      ids.add(r.id as number);
    }
    expect(ids.size).toBe(n);
    console.log(`collect ${n} rows in ${batches} batches: ${seconds.toFixed(2)} s, ${Math.round(n / seconds)} rows/s`);
  });
});

describe('cluster', () => {
  it("the master's JSON shows the Connect application with executors on the workers", async () => {
    // Make sure executors exist (the Connect app holds them while it runs).
    await spark.range(0, 1000, 1, 4).agg(F.sum('id')).collect();
    const masterUrl = process.env.SPARK_MASTER_URL ?? 'spark://127.0.0.1:7077';
    const host = new URL(masterUrl.replace(/^spark:/, 'http:')).hostname;
    const state = (await (await fetch(`http://${host}:${process.env.SPARK_MASTER_WEBUI_PORT ?? 8080}/json/`)).json()) as {
      activeapps: { name: string; cores: number; state: string }[];
      workers: { state: string; coresused: number }[];
    };
    const app = state.activeapps.find((a) => /connect/i.test(a.name));
    expect(app, JSON.stringify(state.activeapps)).toBeDefined();
    expect(app!.state).toBe('RUNNING');
    expect(app!.cores).toBeGreaterThan(0);
    const busy = state.workers.filter((w) => w.state === 'ALIVE' && w.coresused > 0);
    expect(busy.length).toBeGreaterThanOrEqual(Math.min(2, state.workers.length));
  });
});
