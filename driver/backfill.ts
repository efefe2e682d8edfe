/**
 * `make backfill from=YYYY-MM-DDTHH to=YYYY-MM-DDTHH [stage=silver,gold]`: reprocesses the stored bronze of a
 * range of hours with the current code, snapshot by snapshot, each under the pipeline lock (so it never
 * overlaps an hourly run) and with its own manifest marked as a backfill. Hours without bronze are refused and
 * reported; nothing is fetched from FR24.
 */
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from './config.js';
import { UsageError } from './usage-error.js';
import { acquirePipelineLock, LockBusyError } from './lock.js';
import { createLogger, type Logger } from './logger.js';
import type { RunManifest } from './manifest.js';
import { runPipeline } from './pipeline.js';
import { listKeys } from './s3.js';
import { s3Client } from '../extract/s3.js';
import { PipelineSpark } from './pipeline-spark.js';
import { pipelineStages } from './stages.js';
import { missingParts, probeStack } from './health.js';
import { hourLabel, parseHourRange, type HourRange } from './trends.js';
import { BRONZE_PREFIX, snapshotTimeOfBronzeKey, snapshotTimeOfSilverSuccessKey } from '../contracts/index.js';

const HOUR_MS = 3_600_000;
const BACKFILL_STAGES = ['silver', 'gold'] as const;
type BackfillStage = (typeof BACKFILL_STAGES)[number];

export interface BackfillArgs {
  range: HourRange;
  stages: BackfillStage[];
  /** How long each snapshot waits for a running pipeline to release the lock. */
  lockWaitMs: number;
}

export function parseBackfillArgs(args: Record<string, string>): BackfillArgs {
  if (!args.from?.trim() || !args.to?.trim()) throw new UsageError('backfill needs from=YYYY-MM-DDTHH and to=YYYY-MM-DDTHH (UTC hours, both included)');
  const range = parseHourRange({ from: args.from.trim(), to: args.to.trim() })!;
  const names = (args.stage?.trim() || BACKFILL_STAGES.join(',')).split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(BACKFILL_STAGES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`stage= takes ${BACKFILL_STAGES.join(', ')} (comma-separated), got '${args.stage}': extract is never backfilled`);
  }
  const stages = BACKFILL_STAGES.filter((s) => names.includes(s));
  const lockWaitMs = args['lock-wait-s'] !== undefined ? Number(args['lock-wait-s']) * 1000 : 30 * 60_000;
  if (!Number.isFinite(lockWaitMs) || lockWaitMs < 0) throw new UsageError('lock-wait-s must be a number of seconds');
  return { range, stages, lockWaitMs };
}

export interface BackfillPlan {
  /** Every stored bronze snapshot of the range, oldest first. */
  snapshots: Date[];
  /** The hours of the range without any bronze: refused. */
  hoursWithoutBronze: string[];
}

/** The bronze snapshots stored in the range, and the hours that have none. */
export async function planBackfill(s3: S3Client, bucket: string, range: HourRange): Promise<BackfillPlan> {
  const inRange = (t: Date) => t.getTime() >= range.from.getTime() && t.getTime() < range.to.getTime() + HOUR_MS;
  const snapshots = (await listKeys(s3, bucket, BRONZE_PREFIX))
    .flatMap((key) => snapshotTimeOfBronzeKey(key) ?? [])
    .filter(inRange)
    .sort((a, b) => a.getTime() - b.getTime());
  const hoursWithoutBronze: string[] = [];
  for (let t = range.from.getTime(); t <= range.to.getTime(); t += HOUR_MS) {
    if (!snapshots.some((s) => s.getTime() >= t && s.getTime() < t + HOUR_MS)) hoursWithoutBronze.push(hourLabel(new Date(t)));
  }
  return { snapshots, hoursWithoutBronze };
}

interface BackfillDeps {
  write?: (text: string) => void;
  s3?: S3Client;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Resolves to the exit code: 0 only when every hour had bronze and every snapshot was reprocessed. */
export async function runBackfill(config: Config, args: BackfillArgs, deps: BackfillDeps = {}): Promise<number> {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  const s3 = deps.s3 ?? s3Client(config.minio);
  const logger = deps.logger ?? createLogger({ level: config.log.level, file: config.log.file });
  const signal = deps.signal ?? new AbortController().signal;
  const { bucket } = config.minio;
  const { snapshots, hoursWithoutBronze } = await planBackfill(s3, bucket, args.range);
  if (hoursWithoutBronze.length > 0) {
    write(`refused: ${hoursWithoutBronze.length} hour(s) without bronze in s3://${bucket}/${BRONZE_PREFIX}: ${hoursWithoutBronze.join(', ')}\n`);
  }
  // Gold alone reads the snapshot's silver: a snapshot without complete silver is refused, not failed.
  const withSilver = args.stages.includes('silver')
    ? undefined
    : new Set((await listKeys(s3, bucket, 'silver/flights/')).flatMap((k) => snapshotTimeOfSilverSuccessKey(k)?.getTime() ?? []));
  const results: { snapshot: Date; manifest?: RunManifest; refused?: string }[] = [];
  // One session for all the snapshots (driver/pipeline-spark.ts).
  const spark = new PipelineSpark(config.spark);
  try {
    for (const snapshotTime of snapshots) {
      if (signal.aborted) break;
      if (withSilver && !withSilver.has(snapshotTime.getTime())) {
        results.push({ snapshot: snapshotTime, refused: 'no complete silver: backfill it with stage=silver,gold' });
        continue;
      }
      let release: () => void;
      try {
        release = await acquirePipelineLock(join(config.stackHome, 'run', 'pipeline.lock'), `backfill-pid-${process.pid}`, {
          waitMs: args.lockWaitMs,
          signal,
          onWait: (owner) => logger.warn(`backfill waits for run ${owner ? `${owner.runId} (pid ${owner.pid})` : "(holder not named yet)"} to finish`),
        });
      } catch (error) {
        if (error instanceof LockBusyError) {
          results.push({ snapshot: snapshotTime, refused: error.message });
          break; // the pipeline is busy for longer than we wait: the later snapshots would wait the same
        }
        throw error;
      }
      spark.startRun();
      try {
        const manifest = await runPipeline({
          snapshotTime,
          source: 'backfill of stored bronze',
          stagesFor: (time) => pipelineStages({ config, s3, spark, snapshotTime: time }).filter((stage) => (args.stages as string[]).includes(stage.name)),
          s3,
          bucket,
          logger,
          stageRetries: config.schedule.stageRetries,
          stageDeadlineMs: config.schedule.stageDeadlineMs,
          diagnose: async () => missingParts(await probeStack(config), config),
          signal,
          backfill: true,
        });
        results.push({ snapshot: snapshotTime, manifest });
      } finally {
        release();
      }
    }
  } finally {
    await spark.close();
  }
  for (const { snapshot, manifest, refused } of results) {
    write(`${snapshot.toISOString()}  ${refused ? `refused: ${refused}` : `${manifest!.status}  ${manifest!.runId}${manifest!.errors[0] ? `  ${manifest!.errors[0]}` : ''}`}\n`);
  }
  const done = results.filter((r) => r.manifest?.status === 'succeeded').length;
  write(`backfill ${hourLabel(args.range.from)}..${hourLabel(args.range.to)} (${args.stages.join(',')}): ${done} of ${snapshots.length} snapshot(s) reprocessed\n`);
  return hoursWithoutBronze.length === 0 && done === snapshots.length ? 0 : 1;
}
