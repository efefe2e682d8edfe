import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from './logger.js';
import { newManifest, writeManifest, type RunManifest, type StageName, type StageRecord } from './manifest.js';
import { retryWithBackoff } from './retry.js';

/** What a stage reports; it lands in the run manifest. */
export interface StageOutcome {
  rowsIn?: number;
  rowsOut?: number;
  quarantinedRows?: number;
  duplicatesRemoved?: number;
  requests?: number;
  retries?: number;
  outputs: string[];
  /** The stage finished but its data is incomplete (an FR24 cell failed after its retries). */
  partial?: boolean;
  details?: Record<string, unknown>;
}

export interface Stage {
  name: StageName;
  run(signal: AbortSignal, log: Logger): Promise<StageOutcome>;
  /** Removes whatever an unfinished attempt of this stage may have left for this snapshot. */
  clean(): Promise<void>;
}

export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

interface PipelineOptions {
  snapshotTime: Date;
  source: string;
  stages: Stage[];
  s3: S3Client;
  bucket: string;
  logger: Logger;
  stageRetries: number;
  retryBaseMs?: number;
  signal: AbortSignal;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * One cycle: the stages in order, each retried with backoff and cleaned before a retry and after a final
 * failure, so a failed stage leaves no visible output. The manifest is rewritten after every stage.
 */
export async function runPipeline(options: PipelineOptions): Promise<RunManifest> {
  const { s3, bucket, signal } = options;
  const manifest = newManifest(options.snapshotTime, options.source);
  const runLog = options.logger.child({ runId: manifest.runId });
  // The object store may be the part that is failing: a manifest that cannot be written is logged, not fatal,
  // and the final write is retried so the run's outcome reaches the bucket once the store is back.
  const save = (retries = 0) =>
    retryWithBackoff(() => writeManifest(s3, bucket, manifest), { retries, baseMs: 1_000 }).catch((error) =>
      runLog.warn(`could not write the run manifest: ${messageOf(error)}`),
    );
  await save();
  runLog.info(`run started: snapshot ${manifest.snapshotTime}, source ${options.source}`);

  for (const stage of options.stages) {
    const record = manifest.stages[stage.name];
    const log = runLog.child({ stage: stage.name });
    if (manifest.status !== 'running') {
      record.status = 'skipped';
      continue;
    }
    const started = Date.now();
    Object.assign(record, { status: 'running', startedAt: new Date(started).toISOString() });
    await save();
    try {
      const outcome = await retryWithBackoff(
        async (attempt) => {
          if (signal.aborted) throw new InterruptedError('interrupted before the stage started');
          record.attempts = attempt;
          if (attempt > 1) await stage.clean();
          log.info(`started (attempt ${attempt})`);
          return stage.run(signal, log);
        },
        {
          retries: options.stageRetries,
          baseMs: options.retryBaseMs,
          signal,
          onRetry: (error, attempt, waitMs) => {
            record.errors.push(`attempt ${attempt}: ${messageOf(error)}`);
            log.warn(`attempt ${attempt} failed, retrying in ${Math.round(waitMs)} ms: ${messageOf(error)}`);
          },
        },
      );
      applyOutcome(record, outcome);
      record.status = 'succeeded';
      if (outcome.partial) manifest.partial = true;
      log.info(`done in ${Date.now() - started} ms`, summary(outcome));
    } catch (error) {
      const interrupted = signal.aborted;
      record.status = interrupted ? 'interrupted' : 'failed';
      record.errors.push(messageOf(error));
      manifest.status = interrupted ? 'interrupted' : 'failed';
      manifest.errors.push(`${stage.name}: ${messageOf(error)}`);
      log.error(`${interrupted ? 'interrupted' : `failed after ${record.attempts} attempt(s)`}: ${messageOf(error)}`);
      await stage.clean().catch((cleanError) => log.error(`could not clean up: ${messageOf(cleanError)}`));
    } finally {
      record.endedAt = new Date().toISOString();
      record.durationMs = Date.now() - started;
    }
    await save();
  }

  if (manifest.status === 'running') manifest.status = 'succeeded';
  manifest.endedAt = new Date().toISOString();
  manifest.durationMs = Date.parse(manifest.endedAt) - Date.parse(manifest.startedAt);
  await save(3);
  runLog.info(`run ${manifest.status} in ${manifest.durationMs} ms${manifest.partial ? ' (partial snapshot)' : ''}`);
  return manifest;
}

function applyOutcome(record: StageRecord, outcome: StageOutcome): void {
  const { details, partial: _partial, ...counts } = outcome;
  Object.assign(record, counts);
  if (details) record.details = details;
}

function summary(outcome: StageOutcome): Record<string, unknown> {
  const { outputs: _outputs, details: _details, ...counts } = outcome;
  return counts;
}
