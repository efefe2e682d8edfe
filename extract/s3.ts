/** The S3 client for MinIO and a streaming upload (multipart once the body passes one part). */
import { PassThrough } from 'node:stream';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

export interface S3Settings {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region?: string;
}

export function s3Client(s: S3Settings): S3Client {
  return new S3Client({
    endpoint: s.endpoint,
    region: s.region ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s.accessKey, secretAccessKey: s.secretKey },
  });
}

export async function objectExists(client: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return false;
    throw new Error(`cannot check s3://${bucket}/${key}: ${(error as Error).message}`);
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
  bytes = 0;

  constructor(client: S3Client, readonly bucket: string, readonly key: string, contentType = 'text/csv; charset=utf-8') {
    this.upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: this.stream, ContentType: contentType },
      partSize: 8 * 1024 * 1024,
      queueSize: 2,
    });
    this.done = this.upload.done();
    this.done.catch(() => undefined); // surfaced by finish()
  }

  async write(text: string): Promise<void> {
    this.bytes += Buffer.byteLength(text);
    if (!this.stream.write(text)) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  async finish(): Promise<void> {
    this.stream.end();
    try {
      await this.done;
    } catch (error) {
      throw new Error(`upload of s3://${this.bucket}/${this.key} failed: ${(error as Error).message}`);
    }
  }

  async abort(): Promise<void> {
    await this.upload.abort().catch(() => undefined);
    this.stream.destroy();
  }
}
