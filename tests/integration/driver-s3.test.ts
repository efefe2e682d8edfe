/**
 * The S3 helpers every clean-up relies on, against the real MinIO: a prefix takes only its own directory,
 * '' empties the whole bucket, and both page past the 1000 keys one listing returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, listKeys } from '../../driver/s3.js';
import { dropBucket, freshBucket, putText, testS3 } from '../support/jobs-s3.js';

const s3 = testS3();
let bucket: string;

/** Puts every key (a few at a time: MinIO on two shared cores). */
async function putAll(keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((key) => putText(s3, bucket, key, key)));
}

beforeAll(async () => {
  bucket = await freshBucket(s3, 'driver-s3-test');
});
afterAll(async () => {
  if (bucket) await dropBucket(s3, bucket);
});

describe('deletePrefix', () => {
  it('deletes a directory, not its namesakes, and every object of the bucket for the empty prefix', async () => {
    const many = Array.from({ length: 1005 }, (_, i) => `gold/x/part-${String(i).padStart(5, '0')}`);
    const others = ['gold/xy/part-0', 'gold/x.txt', 'top.txt'];
    await putAll([...many, ...others]);
    expect(await listKeys(s3, bucket, '')).toHaveLength(many.length + others.length);

    expect(await deletePrefix(s3, bucket, 'gold/x')).toBe(many.length);
    expect((await listKeys(s3, bucket, '')).sort()).toEqual([...others].sort());

    expect(await deletePrefix(s3, bucket, '')).toBe(others.length);
    expect(await listKeys(s3, bucket, '')).toEqual([]);
  });
});
