import { DeleteObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Config } from './config.js';

export function createS3Client(minio: Config['minio']): S3Client {
  return new S3Client({
    endpoint: minio.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
    maxAttempts: 3,
  });
}

/** `s3a://bucket/some/key/` → `some/key/` (the key prefix inside our bucket). */
export function keyOfS3aPath(path: string, bucket: string): string {
  const prefix = `s3a://${bucket}/`;
  if (!path.startsWith(prefix)) throw new Error(`${path} is not inside bucket ${bucket}`);
  return path.slice(prefix.length);
}

/** Deletes every object under `prefix` (a directory-like key ending in '/'); returns how many went. */
export async function deletePrefix(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  if (!prefix.endsWith('/')) prefix += '/';
  let deleted = 0;
  for (;;) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length === 0) return deleted;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    deleted += keys.length;
  }
}

export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
