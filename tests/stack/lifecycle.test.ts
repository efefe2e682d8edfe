import { describe, expect, it } from 'vitest';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../../driver/config.js';
import { s3Client } from '../../extract/s3.js';
import { make, masterState, minioReady, stackProcesses } from '../support/stack.js';

// The stack's own life cycle, on real processes: up with two workers, idempotent up, rescale, down, data kept.
describe('local stack life cycle', () => {
  const { minio } = loadConfig();
  const s3 = s3Client(minio);
  const marker = `_tests/lifecycle-${Date.now()}.txt`;

  it('make up scale=2 starts MinIO and a master with two ALIVE workers', async () => {
    const { stdout } = await make('up', 'scale=2');
    expect(stdout).toContain('sc://');
    expect(await minioReady()).toBe(true);
    const master = await masterState();
    expect(master.workers.filter((w) => w.state === 'ALIVE')).toHaveLength(2);
    expect(master.activeapps.map((a) => a.name)).toContain('Spark Connect server');
  });

  it('make up again with the same scale starts no duplicate process', async () => {
    const before = (await stackProcesses()).sort();
    await make('up', 'scale=2');
    const after = (await stackProcesses()).sort();
    expect(after).toEqual(before);
    expect((await masterState()).workers.filter((w) => w.state === 'ALIVE')).toHaveLength(2);
  });

  it('make up with another scale adjusts the workers', async () => {
    await make('up', 'scale=1');
    expect((await masterState()).workers.filter((w) => w.state === 'ALIVE')).toHaveLength(1);
    await make('up', 'scale=2');
    expect((await masterState()).workers.filter((w) => w.state === 'ALIVE')).toHaveLength(2);
  });

  it('make down leaves no process of the stack and keeps the data', async () => {
    await s3.send(new PutObjectCommand({ Bucket: minio.bucket, Key: marker, Body: 'kept' }));
    await make('down');
    expect(await stackProcesses()).toEqual([]);
    expect(await minioReady()).toBe(false);

    await make('up', 'scale=1');
    const kept = await s3.send(new GetObjectCommand({ Bucket: minio.bucket, Key: marker }));
    expect(await kept.Body?.transformToString()).toBe('kept');
    await make('down');
    expect(await stackProcesses()).toEqual([]);
  });
});
