import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { manifestKey, stampOf } from '../contracts/index.js';
import { listKeys } from './s3.js';

const StageName = z.enum(['extract', 'silver', 'gold']);
export type StageName = z.infer<typeof StageName>;

const StageRecord = z.object({
  status: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'interrupted']),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
  attempts: z.number().int().default(0),
  rowsIn: z.number().int().optional(),
  rowsOut: z.number().int().optional(),
  quarantinedRows: z.number().int().optional(),
  duplicatesRemoved: z.number().int().optional(),
  requests: z.number().int().optional(),
  retries: z.number().int().optional(),
  outputs: z.array(z.string()).default([]),
  /** Everything else a stage reports (cells, depth, unknown airports, ...), kept as the stage gave it. */
  details: z.record(z.string(), z.unknown()).default({}),
  errors: z.array(z.string()).default([]),
});
export type StageRecord = z.infer<typeof StageRecord>;

/** The run manifest of SPEC §2: what one run did, written to runs/YYYY/MM/DD/run_YYYYMMDDHHMMSS.json. */
export const RunManifest = z.object({
  runId: z.string(),
  snapshotTime: z.string(),
  status: z.enum(['running', 'succeeded', 'failed', 'interrupted']),
  partial: z.boolean(),
  source: z.string(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
  stages: z.record(StageName, StageRecord),
  errors: z.array(z.string()).default([]),
});
export type RunManifest = z.infer<typeof RunManifest>;

export function newManifest(snapshotTime: Date, source: string): RunManifest {
  const pending = (): StageRecord => StageRecord.parse({ status: 'pending' });
  return {
    runId: `run_${stampOf(snapshotTime)}`,
    snapshotTime: snapshotTime.toISOString(),
    status: 'running',
    partial: false,
    source,
    startedAt: new Date().toISOString(),
    stages: { extract: pending(), silver: pending(), gold: pending() },
    errors: [],
  };
}

export async function writeManifest(s3: S3Client, bucket: string, manifest: RunManifest): Promise<string> {
  const key = manifestKey(new Date(manifest.snapshotTime));
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: `${JSON.stringify(RunManifest.parse(manifest), null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
  return key;
}

/**
 * The newest `limit` manifests, newest first (keys sort by time because the stamp is zero-padded). A manifest
 * that does not parse is named in `unreadable` instead of hiding every other run.
 */
export async function recentManifests(
  s3: S3Client,
  bucket: string,
  limit: number,
): Promise<{ runs: RunManifest[]; unreadable: { key: string; reason: string }[] }> {
  const keys = (await listKeys(s3, bucket, 'runs/')).filter((key) => key.endsWith('.json'));
  const newest = keys.sort().reverse().slice(0, limit);
  const read = await Promise.all(
    newest.map(async (key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = (await object.Body?.transformToString()) ?? '';
      try {
        const parsed = RunManifest.safeParse(JSON.parse(text));
        return parsed.success ? { key, run: parsed.data } : { key, reason: z.prettifyError(parsed.error).split('\n')[0] ?? 'invalid' };
      } catch (error) {
        return { key, reason: `not JSON (${(error as Error).message})` };
      }
    }),
  );
  return {
    runs: read.flatMap((r) => ('run' in r && r.run ? [r.run] : [])),
    unreadable: read.flatMap((r) => ('reason' in r && r.reason ? [{ key: r.key, reason: r.reason }] : [])),
  };
}

/**
 * Flights of the newest complete snapshots taken from the same feed (extract records it), newest first:
 * what a collapsed world is measured against. Runs of another feed (a test server, the sim) never count.
 */
export async function recentSnapshotFlights(s3: S3Client, bucket: string, feed: string, limit = 24): Promise<number[]> {
  const { runs } = await recentManifests(s3, bucket, 4 * limit);
  return runs
    .filter((run) => run.status === 'succeeded' && !run.partial && run.stages.extract.details.feed === feed)
    .flatMap((run) => (run.stages.extract.rowsOut === undefined ? [] : [run.stages.extract.rowsOut]))
    .slice(0, limit);
}
