import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import type { Settings } from './config.js';
import { MinioAdmin } from './minio-admin.js';
import { s3Client } from '../extract/s3.js';

/** The policy that lets its holder list, read, write and delete in one bucket, and nothing else. */
export function bucketPolicy(bucket: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        Resource: [`arn:aws:s3:::${bucket}`],
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: [`arn:aws:s3:::${bucket}/*`],
      },
    ],
  };
}

export const bucketPolicyName = (bucket: string) => `flight-radar-${bucket}`;

/**
 * `make up`, with MinIO's root keys (their only use): creates MINIO_BUCKET if missing, the pipeline's user
 * (MINIO_ACCESS_KEY / MINIO_SECRET_KEY, its secret set to the configured one) and grants it that bucket. Buckets
 * granted earlier with another MINIO_BUCKET (the test suite's, the benchmark's) stay granted while they exist;
 * no other bucket ever is.
 */
export async function grantBucket(settings: Settings): Promise<void> {
  const { MINIO_ROOT_USER: rootUser, MINIO_ROOT_PASSWORD: rootPassword, MINIO_ACCESS_KEY: user, MINIO_BUCKET: bucket } = settings;
  if (!rootUser || !rootPassword) throw new Error('MINIO_ROOT_USER and MINIO_ROOT_PASSWORD are not set: run make setup to generate them');
  if (user === rootUser) throw new Error('MINIO_ACCESS_KEY is the root user: the pipeline needs a user of its own (run make setup, or set another MINIO_ACCESS_KEY)');
  const root = { endpoint: settings.MINIO_ENDPOINT, accessKey: rootUser, secretKey: rootPassword, bucket };
  const s3 = s3Client(root);
  await s3
    .send(new CreateBucketCommand({ Bucket: bucket }))
    .catch((error: Error) => {
      if (!/BucketAlreadyOwnedByYou|BucketAlreadyExists/.test(error.name)) throw error;
    });
  const admin = new MinioAdmin(root);
  const policy = bucketPolicyName(bucket);
  await admin.putPolicy(policy, bucketPolicy(bucket));
  const existing = new Set(((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => bucketPolicyName(b.Name ?? '')));
  const before = ((await admin.userPolicies(user)) ?? []).filter((name) => existing.has(name));
  await admin.addUser(user, settings.MINIO_SECRET_KEY);
  await admin.setUserPolicies(user, [...new Set([...before, policy])]);
}
