/** The trust checks (issue 14) both stacks share: tests/stack/security.test.ts (local) and tests/docker (compose). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { listKeys } from '../../driver/s3.js';
import { SparkAuthenticationError, SparkSession } from '../../spark/index.js';

const exec = promisify(execFile);

/** The error `work` fails with, or undefined when it succeeds. */
export const failureOf = (work: Promise<unknown>) => work.then(() => undefined, (error: unknown) => error);

/** The lines that hold any of `secrets`. */
export const leaks = (lines: Iterable<string>, secrets: string[]) => [...lines].filter((line) => secrets.some((s) => line.includes(s)));

/** Every distinct `pid args` line of `ps -eo pid,args` kept by `keep`, sampled every `everyMs` until stopped. */
export function sampleCommandLines(keep: (pid: string, args: string) => boolean, everyMs = 100): { stop(): Promise<Set<string>> } {
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { stdout } = await exec('ps', ['-eo', 'pid=,args='], { maxBuffer: 1 << 24 });
      for (const line of stdout.split('\n')) {
        const [, pid, args] = /^\s*(\d+)\s(.*)$/.exec(line) ?? [];
        if (pid && args && keep(pid, args)) seen.add(args);
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** A query (after a write under `prefix` of `bucket`, when given) on a session opened with `url`. */
export async function connectAttempt(url: string, bucket: string, prefix?: string): Promise<unknown> {
  const spark = await SparkSession.builder().remote(url).connectTimeoutMs(30_000).getOrCreate();
  try {
    if (prefix) await spark.range(3).write.mode('overwrite').parquet(`s3a://${bucket}/${prefix}`);
    return await spark.sql('SELECT 42 AS answer').collect();
  } finally {
    await spark.stop().catch(() => undefined);
  }
}

/**
 * Spark Connect at `bareUrl` (no token) refuses a request without the token and one with a wrong token, and
 * their writes land nowhere in `bucket` (read by `s3`); `authorizedUrl` (the right token) answers.
 */
export async function expectConnectRequiresToken(bareUrl: string, authorizedUrl: string, s3: S3Client, bucket: string): Promise<void> {
  const prefix = `_tests/unauthenticated-${Date.now()}`;
  const none = await failureOf(connectAttempt(bareUrl, bucket, `${prefix}/none`));
  const wrong = await failureOf(connectAttempt(`${bareUrl}/;token=not-the-token-${Date.now()}`, bucket, `${prefix}/wrong`));
  for (const error of [none, wrong]) {
    expect(error).toBeInstanceOf(SparkAuthenticationError);
    expect((error as Error).message).toMatch(/authentication failed/);
  }
  expect(await listKeys(s3, bucket, prefix)).toEqual([]);
  expect(await connectAttempt(authorizedUrl, bucket)).toEqual([{ answer: 42 }]);
}

/**
 * The pipeline's MinIO user (`app`) reads and writes `bucket` and nothing else: another bucket (made with the
 * root keys, `root`) is denied to it, and so it is to Spark, which reads through the same user (`connectUrl`).
 */
export async function expectUserScopedToBucket(root: S3Client, app: S3Client, bucket: string, connectUrl: string): Promise<void> {
  const other = `fr-ungranted-${Date.now()}`;
  await root.send(new CreateBucketCommand({ Bucket: other }));
  await root.send(new PutObjectCommand({ Bucket: other, Key: 'private.txt', Body: 'not yours' }));
  try {
    const denied = async (work: Promise<unknown>) => expect(((await failureOf(work)) as Error)?.name).toBe('AccessDenied');
    await denied(app.send(new GetObjectCommand({ Bucket: other, Key: 'private.txt' })));
    await denied(app.send(new ListObjectsV2Command({ Bucket: other })));
    await denied(app.send(new PutObjectCommand({ Bucket: other, Key: 'mine.txt', Body: 'x' })));
    await denied(app.send(new CreateBucketCommand({ Bucket: `${other}-new` })));

    const key = `_tests/granted-${Date.now()}.txt`;
    await app.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'ours' }));
    expect(await (await app.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()).toBe('ours');
    await app.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));

    const spark = await SparkSession.builder().remote(connectUrl).getOrCreate();
    try {
      const error = await failureOf(spark.read.csv(`s3a://${other}/private.txt`).collect());
      expect(String((error as Error)?.message)).toMatch(/403|AccessDenied|Forbidden/);
    } finally {
      await spark.stop();
    }
  } finally {
    await root.send(new DeleteObjectCommand({ Bucket: other, Key: 'private.txt' }));
    await root.send(new DeleteBucketCommand({ Bucket: other }));
  }
}

/**
 * The master's UI (`masterUi`, http://host:port) refuses to kill the Spark Connect application: the request
 * is not accepted and the application is still there a few seconds later.
 */
export async function expectUiCannotKill(masterUi: string): Promise<void> {
  const state = async () => (await (await fetch(`${masterUi}/json/`)).json()) as { activeapps: { id: string; name: string }[] };
  const app = (await state()).activeapps.find((a) => a.name === 'Spark Connect server');
  expect(app, 'the Spark Connect application on the master').toBeDefined();
  const kill = await fetch(`${masterUi}/app/kill/`, {
    method: 'POST',
    body: new URLSearchParams({ id: app!.id, terminate: 'true' }),
    redirect: 'manual',
  });
  expect(kill.status).not.toBe(200);
  await new Promise((r) => setTimeout(r, 3000));
  expect((await state()).activeapps.map((a) => a.id)).toContain(app!.id);
}
