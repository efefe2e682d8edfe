/** The S3 client for MinIO (the only factory of the project) and a streaming upload (multipart once the body passes one part). */
import { PassThrough } from 'node:stream';
import { HeadBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

export interface S3Settings {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region?: string;
}

/** The one way the project builds an S3 client: path-style requests, as MinIO serves them. */
export function s3Client(s: S3Settings): S3Client {
  return new S3Client({
    endpoint: s.endpoint,
    region: s.region ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s.accessKey, secretAccessKey: s.secretKey },
    maxAttempts: 3,
  });
}

/** Fails fast, before any FR24 request, when the bucket cannot be written to. */
export async function assertBucket(client: S3Client, s: S3Settings): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: s.bucket }));
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    // A user scoped to other buckets gets 403 for a bucket that does not exist too: MinIO does not tell it which.
    const why =
      status === 404
        ? 'does not exist'
        : status === 403
          ? 'is not granted to these credentials (or does not exist)'
          : (error as Error).message || (error as Error).name;
    throw new Error(`bucket s3://${s.bucket} at ${s.endpoint} ${why}`, { cause: error });
  }
}

/** The object's user metadata, or undefined when there is no such object. */
export async function objectMetadata(client: S3Client, bucket: string, key: string): Promise<Record<string, string> | undefined> {
  try {
    return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).Metadata ?? {};
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return undefined;
    throw new Error(`cannot check s3://${bucket}/${key}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A text object written as it is produced: write() respects back-pressure (memory stays flat whatever
 * the size), parts of 8 MiB go up as a multipart upload, a small body as one PUT. abort() leaves nothing.
 */
export class StreamingObject {
  private readonly stream = new PassThrough();
  private readonly upload: Upload;
  private readonly done: Promise<unknown>;
  private failure: Error | undefined;
  private readonly failed: Promise<never>;
  bytes = 0;

  constructor(client: S3Client, readonly bucket: string, readonly key: string, contentType = 'text/csv; charset=utf-8') {
    this.upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: this.stream, ContentType: contentType },
      partSize: 8 * 1024 * 1024,
      queueSize: 2,
    });
    this.done = this.upload.done();
    // An upload that fails stops reading the stream: a writer waiting for 'drain' must hear about it.
    this.failed = this.done.then(
      () => new Promise<never>(() => undefined),
      (error: unknown) => {
        this.failure = new Error(`upload of s3://${bucket}/${key} failed: ${(error as Error).message}`);
        throw this.failure;
      },
    );
    this.failed.catch(() => undefined);
  }

  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.bytes += Buffer.byteLength(text);
    if (!this.stream.write(text)) {
      await Promise.race([new Promise<void>((resolve) => this.stream.once('drain', resolve)), this.failed]);
    }
  }

  async finish(): Promise<void> {
    this.stream.end();
    try {
      await this.done;
    } catch (error) {
      throw new Error(`upload of s3://${this.bucket}/${this.key} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async abort(): Promise<void> {
    await this.upload.abort().catch(() => undefined);
    this.stream.destroy();
  }
}
