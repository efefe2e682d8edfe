import { DeleteObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** Every object under `prefix` with the time it was last written and its size, page after page. */
export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<{ key: string; written: number; bytes: number }[]> {
  const objects: { key: string; written: number; bytes: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (object.Key) objects.push({ key: object.Key, written: object.LastModified?.getTime() ?? 0, bytes: object.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/** Every key under `prefix`. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  return (await listObjects(s3, bucket, prefix)).map((object) => object.key);
}

/** The size of the object at `key`, or of every object in the directory-like `key` (a Parquet output). */
export async function bytesAt(s3: S3Client, bucket: string, key: string): Promise<number> {
  const objects = (await listObjects(s3, bucket, key)).filter((o) => o.key === key || o.key.startsWith(`${key}/`));
  return objects.reduce((sum, o) => sum + o.bytes, 0);
}

/**
 * Deletes every object under `prefix`, a directory-like key ('/' is added when missing, so `gold/x` never
 * takes `gold/xy`), or every object of the bucket for ''; returns how many went.
 */
export async function deletePrefix(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  let deleted = 0;
  for (;;) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length === 0) return deleted;
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    // A quiet multi-delete answers 200 even when keys failed; listing again would find them and loop forever.
    const failed = result.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new Error(
        `could not delete ${failed.length} object(s) under s3://${bucket}/${prefix}, e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
      );
    }
    deleted += keys.length;
  }
}

export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
