import { randomBytes } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { answersKey, layerKey, manifestKey, stampOf, type Layer } from '../contracts/index.js';
import { listKeys, listObjects } from './s3.js';

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

/** The run manifest of docs/SPEC.md §2: what one run did, written to runs/YYYY/MM/DD/run_YYYYMMDDHHMMSS.json. */
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
  /** A reprocessing of stored bronze (`make backfill`), not an hourly run: it has a manifest of its own. */
  backfill: z.boolean().default(false),
});
export type RunManifest = z.infer<typeof RunManifest>;

/** A run id is unique even for two runs of one second (the suffix), and names its snapshot for a reader. */
export function newManifest(snapshotTime: Date, source: string, options: { backfill?: boolean } = {}): RunManifest {
  const pending = (): StageRecord => StageRecord.parse({ status: 'pending' });
  const backfill = options.backfill ?? false;
  return {
    // A backfill also names when it ran: its manifest sits beside the snapshot's own run's, never over it.
    runId: backfill ? `run_${stampOf(snapshotTime)}_backfill_${stampOf(new Date())}` : `run_${stampOf(snapshotTime)}_${randomBytes(3).toString('hex')}`,
    backfill,
    snapshotTime: snapshotTime.toISOString(),
    status: 'running',
    partial: false,
    source,
    startedAt: new Date().toISOString(),
    stages: { extract: pending(), silver: pending(), gold: pending() },
    errors: [],
  };
}

/** No free snapshot time was found near the one asked for: nothing was written. */
export class SnapshotClaimError extends Error {
  override name = 'SnapshotClaimError';
}

const isPreconditionFailed = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412 ||
  (error as Error).name === 'PreconditionFailed';

const body = (manifest: RunManifest) => `${JSON.stringify(RunManifest.parse(manifest), null, 2)}\n`;

/**
 * A run's manifest, which is also its claim on a snapshot: created only if no manifest of that snapshot time
 * exists (If-None-Match), then rewritten only while it is still the version this run wrote (If-Match). So a
 * second run of the same second, or a run after the clock stepped back, can neither take nor overwrite it.
 */
export class ClaimedManifest {
  private constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    readonly manifest: RunManifest,
    private etag: string | undefined,
  ) {}

  get key(): string {
    return this.manifest.backfill ? backfillManifestKey(this.manifest) : manifestKey(new Date(this.manifest.snapshotTime));
  }

  /**
   * A backfill's manifest: the snapshot is already claimed by its own run (its bronze exists), so the backfill
   * creates a manifest of its own beside that run's (If-None-Match: never over another one).
   */
  static async backfill(s3: S3Client, bucket: string, snapshotTime: Date, source: string): Promise<ClaimedManifest> {
    const manifest = newManifest(snapshotTime, source, { backfill: true });
    // The bronze is the one the snapshot's earlier run extracted: a partial extract stays partial when reprocessed.
    manifest.partial = (await readManifest(s3, bucket, snapshotTime))?.partial ?? false;
    const put = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: backfillManifestKey(manifest), Body: body(manifest), ContentType: 'application/json', IfNoneMatch: '*' }),
    );
    return new ClaimedManifest(s3, bucket, manifest, put.ETag);
  }

  /**
   * Claims the first free snapshot time from `wanted` on, one second at a time (at most `tries`): free means no
   * manifest and no layer output under that time, whoever wrote it. Resolves to the claim, with its manifest
   * stored; the snapshot time in it is the run's.
   */
  static async claim(
    s3: S3Client,
    bucket: string,
    wanted: Date,
    source: string,
    tries = 60,
  ): Promise<{ claim: ClaimedManifest; skipped: string[] }> {
    const skipped: string[] = [];
    const first = Math.floor(wanted.getTime() / 1000) * 1000;
    for (let i = 0; i < tries; i++) {
      const time = new Date(first + i * 1000);
      const taken = await existingOutput(s3, bucket, time);
      if (taken) {
        skipped.push(`${time.toISOString()} (${taken})`);
        continue;
      }
      const manifest = newManifest(time, source);
      try {
        const put = await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: manifestKey(time), Body: body(manifest), ContentType: 'application/json', IfNoneMatch: '*' }),
        );
        return { claim: new ClaimedManifest(s3, bucket, manifest, put.ETag), skipped };
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
        skipped.push(`${time.toISOString()} (claimed by another run)`);
      }
    }
    throw new SnapshotClaimError(
      `no free snapshot time in the ${tries} s from ${new Date(first).toISOString()}: each has a run manifest or data already ` +
        `(${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ', ...' : ''}); nothing was written`,
    );
  }

  /** Stores the manifest as it is now, only over this run's own last version. */
  async save(): Promise<void> {
    try {
      const put = await this.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: body(this.manifest), ContentType: 'application/json', IfMatch: this.etag }),
      );
      this.etag = put.ETag;
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      // An earlier write may have landed with its answer lost; then the stored version is still ours.
      const stored = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      const runId = (JSON.parse((await stored.Body?.transformToString()) ?? '{}') as { runId?: string }).runId;
      if (runId !== this.manifest.runId) {
        throw new SnapshotClaimError(`the manifest s3://${this.bucket}/${this.key} of this run was replaced by ${runId ?? 'something else'}; not overwriting it`);
      }
      this.etag = stored.ETag;
      await this.save();
    }
  }
}

/** The first layer output found under a snapshot time, described; undefined when it has none. */
async function existingOutput(s3: S3Client, bucket: string, time: Date): Promise<string | undefined> {
  const layers: Layer[] = ['bronze', 'silver', 'gold', 'quarantine'];
  for (const [what, prefix] of [...layers.map((layer) => [layer, layerKey(layer, time)]), ['answers', answersKey(time)]]) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
    if ((page.KeyCount ?? page.Contents?.length ?? 0) > 0) return `${what} data exists`;
  }
  return undefined;
}

/** `runs/YYYY/MM/DD/run_<snapshot>_backfill_<when>.json`: beside the manifest of the snapshot's own run. */
export const backfillManifestKey = (manifest: Pick<RunManifest, 'snapshotTime' | 'runId'>) =>
  manifestKey(new Date(manifest.snapshotTime)).replace(/[^/]+\.json$/, `${manifest.runId}.json`);

/**
 * The manifest of a snapshot's newest run — its own, or a later backfill's — or undefined when it has none (a
 * snapshot written before manifests, or by hand).
 */
export async function readManifest(s3: S3Client, bucket: string, snapshotTime: Date): Promise<RunManifest | undefined> {
  const own = manifestKey(snapshotTime);
  const backfills = (await listKeys(s3, bucket, own.replace(/\.json$/, '_backfill_'))).filter((key) => key.endsWith('.json'));
  // The backfill stamps are zero-padded times: the last key is the newest run.
  for (const key of [...backfills.sort().reverse(), own]) {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return RunManifest.parse(JSON.parse(await object.Body!.transformToString()));
    } catch (error) {
      if ((error as Error).name !== 'NoSuchKey') throw error;
    }
  }
  return undefined;
}

/**
 * The `limit` manifests written last, newest first: the runs that happened most recently, whatever the hour of
 * their snapshot (a backfill of last week, or a snapshot stamped ahead of the clock, is still a recent run).
 * A manifest that does not parse is named in `unreadable` instead of hiding every other run.
 */
export async function recentManifests(
  s3: S3Client,
  bucket: string,
  limit: number,
): Promise<{ runs: RunManifest[]; unreadable: { key: string; reason: string }[] }> {
  const manifests = (await listObjects(s3, bucket, 'runs/')).filter(({ key }) => key.endsWith('.json'));
  // Keys break ties (a manifest written twice in one second): their stamps are zero-padded, so they sort by time.
  manifests.sort((a, b) => b.written - a.written || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const newest = manifests.slice(0, limit).map(({ key }) => key);
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
