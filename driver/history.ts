/**
 * The snapshots kept in the bucket and their stored answers, read in Node without Spark: what `run-answers`,
 * trends and the status page use before deciding whether anything needs the cluster.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import { listKeys } from './s3.js';
import { readManifest, type RunManifest } from './manifest.js';
import { plainRow, QUESTIONS, type AnswerRow, type Question } from '../jobs/index.js';
import {
  ANSWERS_PREFIX,
  answersKey,
  GOLD_PREFIX,
  snapshotTimeOfAnswersSuccessKey,
  snapshotTimeOfGoldSuccessKey,
} from '../contracts/index.js';

export interface StoredSnapshot {
  time: Date;
  /** Its answers table is complete (written by the gold stage, or by a backfill). */
  hasAnswers: boolean;
}

/** Why a complete gold snapshot is not published, from its run's manifest; undefined when it is. */
export function unpublishedReason(manifest: RunManifest | undefined): string | undefined {
  if (!manifest) return 'it has no run manifest, so no run checked it';
  if (manifest.status !== 'succeeded') {
    return `its run ${manifest.runId} ${manifest.status}${manifest.errors[0] ? `: ${manifest.errors[0].split('\n')[0]}` : ''}`;
  }
  if (manifest.partial) {
    const failed = manifest.stages.extract.details.failedCells;
    return `it is partial: ${Array.isArray(failed) ? `${failed.length} FR24 cell(s) failed` : 'some FR24 cells failed'} in run ${manifest.runId}`;
  }
  return undefined;
}

/** Manifests read at once while listing: enough to overlap MinIO's latency, few enough for a month of hours. */
const MANIFEST_READS_AT_ONCE = 16;

/**
 * Every published gold snapshot (its `_SUCCESS` exists and its run succeeded with all its checks, the rule
 * `run-answers` applies), oldest first, with whether its answers are stored. Trends and the status page use
 * it, so a snapshot whose run failed its checks shows there as a missing hour, never as an answer.
 */
export async function listSnapshots(s3: S3Client, bucket: string): Promise<StoredSnapshot[]> {
  const [goldKeys, answerKeys] = await Promise.all([listKeys(s3, bucket, GOLD_PREFIX), listKeys(s3, bucket, ANSWERS_PREFIX)]);
  const answered = new Set(answerKeys.flatMap((key) => snapshotTimeOfAnswersSuccessKey(key)?.getTime() ?? []));
  const complete = goldKeys.flatMap((key) => snapshotTimeOfGoldSuccessKey(key) ?? []).sort((a, b) => a.getTime() - b.getTime());
  const published: Date[] = [];
  for (let i = 0; i < complete.length; i += MANIFEST_READS_AT_ONCE) {
    const batch = complete.slice(i, i + MANIFEST_READS_AT_ONCE);
    const reasons = await Promise.all(
      batch.map((time) => readManifest(s3, bucket, time).then(unpublishedReason, () => 'its run manifest is unreadable')),
    );
    published.push(...batch.filter((_, j) => reasons[j] === undefined));
  }
  return published.map((time) => ({ time, hasAnswers: answered.has(time.getTime()) }));
}

/**
 * The stored answers of one snapshot, by question name, each in its answer's order; undefined when the snapshot
 * has no complete answers table. A few kilobytes: read whole, no Spark job.
 */
export async function readStoredAnswers(
  s3: S3Client,
  bucket: string,
  snapshotTime: Date,
  questions: readonly Question[] = QUESTIONS,
): Promise<Map<string, AnswerRow[]> | undefined> {
  const prefix = answersKey(snapshotTime);
  const keys = await listKeys(s3, bucket, prefix);
  if (!keys.includes(`${prefix}_SUCCESS`)) return undefined;
  const stored: Record<string, unknown>[] = [];
  for (const key of keys.filter((k) => k.endsWith('.parquet'))) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = await object.Body!.transformToByteArray();
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    stored.push(...((await parquetReadObjects({ file })) as Record<string, unknown>[]));
  }
  const position = (row: Record<string, unknown>) => BigInt(row.position as bigint | number);
  return new Map(
    questions.map((q) => [
      q.name,
      stored
        .filter((row) => row.question === q.name)
        .sort((a, b) => (position(a) < position(b) ? -1 : position(a) > position(b) ? 1 : 0))
        .map((row) => plainRow(row, q.columns)),
    ]),
  );
}
