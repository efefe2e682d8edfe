/**
 * The storage layout (contracts/storage.ts) as Spark is given it: the s3a:// path of each file of a snapshot.
 * A Spark output directory is named without its trailing slash.
 */
import { answersKey, bronzeKey, goldKey, quarantineKey, silverKey } from '../contracts/index.js';

/** `s3a://bucket/key` without a trailing slash (how Spark is given a directory). */
export function s3aPath(bucket: string, key: string): string {
  return `s3a://${bucket}/${key.replace(/\/$/, '')}`;
}

export const bronzePath = (bucket: string, t: Date) => s3aPath(bucket, bronzeKey(t));
export const silverPath = (bucket: string, t: Date) => s3aPath(bucket, silverKey(t));
export const goldPath = (bucket: string, t: Date) => s3aPath(bucket, goldKey(t));
export const quarantinePath = (bucket: string, t: Date) => s3aPath(bucket, quarantineKey(t));
export const answersPath = (bucket: string, t: Date) => s3aPath(bucket, answersKey(t));
