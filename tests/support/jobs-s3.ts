/** S3 helpers for the job tests: a bucket of their own (never the product's reference data), objects in and out. */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../../driver/config.js';
import { deletePrefix } from '../../driver/s3.js';
import { s3Client } from '../../extract/s3.js';
import { grantBucket } from '../../driver/store-access.js';
import { AIRLINES_KEY, AIRPORTS_KEY, bronzeKey } from '../../contracts/index.js';
import type { BronzeWorld } from './jobs-bronze-world.js';

export function testS3(): S3Client {
  return s3Client(loadConfig().minio);
}

/**
 * A fresh bucket named after the test, emptied first if a previous run left it, and granted to the pipeline's
 * MinIO user (which may not create buckets), as `make up` grants MINIO_BUCKET.
 */
export async function freshBucket(s3: S3Client, name: string): Promise<string> {
  const bucket = `${name}-${process.pid}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63);
  await grantBucket({ ...loadConfig().settings, MINIO_BUCKET: bucket });
  await deletePrefix(s3, bucket, '');
  return bucket;
}

export async function putText(s3: S3Client, bucket: string, key: string, body: string | Uint8Array): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** A test world in the bucket as extract leaves one: its bronze file of `snapshotTime` and the reference CSVs. */
export async function putWorld(s3: S3Client, bucket: string, world: BronzeWorld, snapshotTime: Date): Promise<void> {
  await putText(s3, bucket, bronzeKey(snapshotTime), world.bronzeCsv);
  await putText(s3, bucket, AIRPORTS_KEY, world.airportsCsv);
  await putText(s3, bucket, AIRLINES_KEY, world.airlinesCsv);
}

/** Empties a test bucket (granted buckets stay, as `make up` grants them), so test runs leave no objects behind. */
export async function dropBucket(s3: S3Client, bucket: string): Promise<void> {
  await deletePrefix(s3, bucket, '');
}
