/**
 * The seven answers on the seed gold sample stored as a gold snapshot in MinIO, run as Spark plans on the
 * cluster, against the values derived here in plain TypeScript from the same Parquet file.
 * Also the `run-answers` command: snapshot resolution (newest published, at=, allow-partial=), JSON output and its errors.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../driver/config.js';
import { UsageError } from '../../driver/usage-error.js';
import { runAnswers, SnapshotNotFoundError } from '../../driver/answers.js';
import { SparkSession } from '../../spark/index.js';
import { QUESTIONS, runAnswer, runAnswersTable } from '../../jobs/index.js';
import { readStoredAnswers } from '../../driver/history.js';
import { goldKey, manifestKey } from '../../contracts/index.js';
import { newManifest, type RunManifest } from '../../driver/manifest.js';
import { goldPath } from '../../jobs/paths.js';
import { expectedAnswers } from '../support/jobs-expected-answers.js';
import { readSeedGold, SEED_GOLD_PATH } from '../support/jobs-seed-gold.js';
import { dropBucket, freshBucket, putText, testS3 } from '../support/jobs-s3.js';
import { present } from '../support/present.js';

const seedTime = new Date('2024-04-18T17:17:22Z');
/** A newer snapshot without _SUCCESS: an unfinished write that must never be read. */
const unfinishedTime = new Date('2024-04-18T18:05:00Z');
/** The newest snapshot, complete (its _SUCCESS exists) but its run failed gold's row check: never answered by default. */
const failedTime = new Date('2024-04-18T19:02:03Z');

/** The run manifest a run of the pipeline leaves (seed data stands for a run that did its checks). */
function manifestOf(time: Date, status: RunManifest['status'], errors: string[] = []): string {
  return JSON.stringify({ ...newManifest(time, 'seed fixture'), status, errors });
}
const s3 = testS3();
let spark: SparkSession;
let bucket: string;
let config: Config;
let expected: Record<string, Record<string, unknown>[]>;

/** The answer derived in this file for a question. */
const wanted = (question: string) => present(expected[question], `an expected answer for ${question}`);

/** Numbers compared to 0.05 (one rounding step of one decimal), everything else exactly. */
function expectSameRows(actual: Record<string, unknown>[], wanted: Record<string, unknown>[], question: string) {
  expect(actual.length, `${question}: ${JSON.stringify(actual)} vs ${JSON.stringify(wanted)}`).toBe(wanted.length);
  wanted.forEach((want, i) => {
    const row = present(actual[i], `${question} row ${i}`);
    for (const [key, value] of Object.entries(want)) {
      if (typeof value === 'number' && !Number.isInteger(value)) expect(Math.abs((row[key] as number) - value), `${question} ${key}`).toBeLessThanOrEqual(0.05);
      else expect(row[key], `${question} row ${i} ${key}`).toEqual(value);
    }
  });
}

beforeAll(async () => {
  bucket = await freshBucket(s3, 'answers-test');
  const parquet = readFileSync(SEED_GOLD_PATH);
  await putText(s3, bucket, `${goldKey(seedTime)}part-00000.parquet`, parquet);
  await putText(s3, bucket, `${goldKey(seedTime)}_SUCCESS`, '{"committer":"test fixture"}');
  await putText(s3, bucket, manifestKey(seedTime), manifestOf(seedTime, 'succeeded'));
  await putText(s3, bucket, `${goldKey(failedTime)}part-00000.parquet`, parquet);
  await putText(s3, bucket, `${goldKey(failedTime)}_SUCCESS`, '{"committer":"test fixture"}');
  await putText(s3, bucket, manifestKey(failedTime), manifestOf(failedTime, 'failed', ['gold: gold 999 rows for 1000 silver rows']));
  await putText(s3, bucket, `${goldKey(unfinishedTime)}part-00000.parquet`, parquet.subarray(0, 100));
  const base = loadConfig();
  config = { ...base, minio: { ...base.minio, bucket } };
  spark = await SparkSession.builder().remote(config.spark.connectUrl).getOrCreate();
  expected = expectedAnswers(await readSeedGold());
});

afterAll(async () => {
  await spark?.stop();
  if (bucket) await dropBucket(s3, bucket);
});

describe('the answers on the seed gold sample (only the seed columns: manufacturer and airline country derived)', () => {
  for (const question of QUESTIONS) {
    it(question.name, async () => {
      const rows = await runAnswer(spark, question, goldPath(bucket, seedTime));
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(Object.keys(row)).toEqual([...question.columns]);
      expectSameRows(rows, wanted(question.name), question.name);
    });
  }
});

describe('make run-answers', () => {
  const capture = async (args: Record<string, string>) => {
    let out = '';
    let notes = '';
    const code = await runAnswers(config, args, { write: (text) => (out += text), note: (text) => (notes += text), s3 });
    return { code, out, notes };
  };

  it('lists the questions, one line each', async () => {
    const { code, out } = await capture({ question: '--help' });
    expect(code).toBe(0);
    expect(out.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual([...QUESTIONS.map((q) => q.name), 'all']);
  });

  it('answers on the newest published snapshot by default, as docs/SPEC.md §4 JSON, passing over a newer one whose run failed', async () => {
    const { code, out, notes } = await capture({ question: 'top-airline', format: 'json' });
    expect(code).toBe(0);
    const answer = JSON.parse(out);
    expect(answer).toEqual({ question: 'top-airline', snapshot: goldPath(bucket, seedTime), rows: expected['top-airline'] });
    expect(notes).toContain(`passed over ${goldPath(bucket, failedTime)}: its run`);
    expect(notes).toContain('gold 999 rows for 1000 silver rows');
  });

  it('a gold whose run failed its checks is answered only with allow-partial=1, which says so', async () => {
    const at = '2024-04-18T19';
    await expect(capture({ question: 'top-airline', at })).rejects.toThrow(SnapshotNotFoundError);
    await expect(capture({ question: 'top-airline', at })).rejects.toThrow(/failed: gold: gold 999 rows for 1000 silver rows.*allow-partial=1/);
    await expect(capture({ question: 'top-airline', at, 'allow-partial': '2' })).rejects.toThrow(/allow-partial must be 1 or 0/);
    const { code, out, notes } = await capture({ question: 'top-airline', at, format: 'json', 'allow-partial': '1' });
    expect(code).toBe(0);
    expect(JSON.parse(out).snapshot).toBe(goldPath(bucket, failedTime));
    expect(notes).toMatch(/warning: answering .* although its run .* failed/);
  });

  it('answers every question in order with question=all, as a readable table', async () => {
    const { out } = await capture({ question: 'all', at: '2024-04-18T17' });
    const titles = out.split('\n').filter((l) => /^[a-z-]+: /.test(l)).map((l) => l.split(':')[0]);
    expect(titles).toEqual(QUESTIONS.map((q) => q.name));
    const topAirline = present(expected['top-airline']?.[0], 'the expected top airline');
    expect(out).toMatch(new RegExp(`${topAirline.airline}\\s+${topAirline.flights}`));
  });

  it('refuses an unknown question, a malformed at= and a snapshot that does not exist', async () => {
    await expect(capture({ question: 'cheapest-flight' })).rejects.toThrow(UsageError);
    await expect(capture({ question: 'cheapest-flight' })).rejects.toThrow(/unknown question 'cheapest-flight'/);
    await expect(capture({ question: 'top-airline', at: '18/04/2024' })).rejects.toThrow(/YYYY-MM-DDTHH/);
    await expect(capture({ question: 'top-airline', at: '2024-04-18T18' })).rejects.toThrow(SnapshotNotFoundError);
    await expect(capture({ question: 'top-airline', at: '2001-01-01T00' })).rejects.toThrow(/no complete gold snapshot for 2001-01-01T00/);
  });
});

describe('the answers table of the seed snapshot (written as the gold stage does)', () => {
  it('equals the answers computed from gold and the values derived here, ties included', async () => {
    await runAnswersTable(spark, { bucket, snapshotTime: seedTime });
    const stored = await readStoredAnswers(s3, bucket, seedTime);
    expect(stored).toBeDefined();
    for (const question of QUESTIONS) {
      const rows = present(stored?.get(question.name), `the stored ${question.name}`);
      expect(rows, question.name).toEqual(await runAnswer(spark, question, goldPath(bucket, seedTime)));
      expectSameRows(rows, wanted(question.name), question.name);
    }
  });

  it('is what run-answers prints, read without a Spark session', async () => {
    // A Connect URL nothing listens on: any attempt to use the cluster would fail the command.
    const offline = { ...config, spark: { ...config.spark, connectUrl: 'sc://127.0.0.1:9', connectTimeoutMs: 1_000 } };
    let out = '';
    expect(await runAnswers(offline, { question: 'all', format: 'json' }, { write: (text) => (out += text), s3 })).toBe(0);
    const answers = out.trim().split('\n').map((line) => JSON.parse(line));
    expect(answers.map((a) => a.question)).toEqual(QUESTIONS.map((q) => q.name));
    for (const a of answers) {
      expect(a.snapshot).toBe(goldPath(bucket, seedTime));
      expectSameRows(a.rows, wanted(a.question), a.question);
    }
  });
});
