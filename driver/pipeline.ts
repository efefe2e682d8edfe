import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from './logger.js';
import { ClaimedManifest, newManifest, type RunManifest, type StageName, type StageRecord } from './manifest.js';
import { retryWithBackoff, sleep } from './retry.js';
import { retryVerdict } from './retryable.js';

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
  /** `runId` names the run in what the stage starts (its Spark jobs' tags). */
  run(signal: AbortSignal, log: Logger, runId: string): Promise<StageOutcome>;
  /** Removes whatever an unfinished attempt of this stage may have left for this snapshot. */
  clean(): Promise<void>;
  /** What the stage is given before it runs (an extract's bounds): in the manifest from its start, whatever its end. */
  given?: Record<string, unknown>;
}

export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** A stage still running at its deadline: its queries were interrupted; the message says what the stack lacked. */
export class StageDeadlineError extends Error {
  override name = 'StageDeadlineError';
}

interface PipelineOptions {
  /** The snapshot time asked for; the run takes the first free second from it on (see ClaimedManifest). */
  snapshotTime: Date;
  source: string;
  /** The stages of the snapshot the run claimed, in order. */
  stagesFor: (snapshotTime: Date) => Stage[];
  s3: S3Client;
  bucket: string;
  logger: Logger;
  stageRetries: number;
  retryBaseMs?: number;
  /** How long one stage (all its attempts) may run before its work is interrupted and it fails. */
  stageDeadlineMs: number;
  /** What the stack lacks right now (e.g. no ALIVE worker), for the message of a stage past its deadline. */
  diagnose?: () => Promise<string[]>;
  signal: AbortSignal;
  /** A reprocessing of stored bronze: the snapshot is given (not claimed) and the run has a manifest of its own. */
  backfill?: boolean;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A stage that ignores its abort signal is given this long after its deadline before the run moves on without it. */
const ABANDON_AFTER_MS = 30_000;

/**
 * One cycle: claims a snapshot (nothing is written before), then runs the stages in order, each retried with
 * backoff when its failure is transient and cleaned before a retry and after a final failure, so a failed stage
 * leaves no visible output. The manifest is rewritten after every stage; `run-answers` serves a snapshot only
 * once its manifest says succeeded, which is written last, after every stage's checks passed.
 */
export async function runPipeline(options: PipelineOptions): Promise<RunManifest> {
  const { s3, bucket, signal } = options;
  let claim: ClaimedManifest;
  try {
    const claimed = await retryWithBackoff(
      async () =>
        options.backfill
          ? { claim: await ClaimedManifest.backfill(s3, bucket, options.snapshotTime, options.source), skipped: [] }
          : ClaimedManifest.claim(s3, bucket, options.snapshotTime, options.source),
      { retries: 2, baseMs: 1_000, signal, shouldRetry: (error) => retryVerdict(error).retry },
    );
    claim = claimed.claim;
    if (claimed.skipped.length > 0) {
      options.logger.warn(`snapshot times already taken, not touched: ${claimed.skipped.join(', ')}`);
    }
  } catch (error) {
    options.logger.error(`run not started: could not claim a snapshot: ${messageOf(error)}`);
    const manifest = newManifest(options.snapshotTime, options.source);
    return { ...manifest, status: 'failed', errors: [`claim: ${messageOf(error)}`], endedAt: new Date().toISOString() };
  }
  const { manifest } = claim;
  const snapshotTime = new Date(manifest.snapshotTime);
  const runLog = options.logger.child({ runId: manifest.runId });
  // The object store may be the part that is failing: a manifest that cannot be written is logged, not fatal,
  // and the final write is retried so the run's outcome reaches the bucket once the store is back.
  const save = (retries = 0) =>
    retryWithBackoff(() => claim.save(), { retries, baseMs: 1_000 }).catch((error) =>
      runLog.warn(`could not write the run manifest: ${messageOf(error)}`),
    );
  runLog.info(`run started: snapshot ${manifest.snapshotTime}, source ${options.source}`);

  const stages = options.stagesFor(snapshotTime);
  // Stages this run does not include (a backfill of silver and gold has no extract) are marked as skipped.
  for (const [name, record] of Object.entries(manifest.stages)) {
    if (!stages.some((stage) => stage.name === name)) record.status = 'skipped';
  }
  for (const stage of stages) {
    const record = manifest.stages[stage.name];
    const log = runLog.child({ stage: stage.name });
    if (manifest.status !== 'running') {
      record.status = 'skipped';
      continue;
    }
    const started = Date.now();
    Object.assign(record, { status: 'running', startedAt: new Date(started).toISOString(), details: { ...stage.given } });
    await save();
    const deadline = AbortSignal.timeout(options.stageDeadlineMs);
    const stageSignal = AbortSignal.any([signal, deadline]);
    try {
      const outcome = await withinDeadline(
        retryWithBackoff(
          async (attempt) => {
            if (stageSignal.aborted) throw new InterruptedError('interrupted before the stage started');
            record.attempts = attempt;
            if (attempt > 1) await stage.clean();
            log.info(`started (attempt ${attempt})`);
            return stage.run(stageSignal, log, manifest.runId);
          },
          {
            retries: options.stageRetries,
            baseMs: options.retryBaseMs,
            signal: stageSignal,
            shouldRetry: (error) => {
              const verdict = retryVerdict(error);
              if (!verdict.retry && !stageSignal.aborted) log.warn(`not retried: ${verdict.why}`);
              return verdict.retry;
            },
            onRetry: (error, attempt, waitMs) => {
              record.errors.push(`attempt ${attempt}: ${messageOf(error)}`);
              log.warn(`attempt ${attempt} failed (${retryVerdict(error).why}), retrying in ${Math.round(waitMs)} ms: ${messageOf(error)}`);
            },
          },
        ),
        deadline,
      );
      applyOutcome(record, outcome);
      record.status = 'succeeded';
      if (outcome.partial) manifest.partial = true;
      log.info(`done in ${Date.now() - started} ms`, summary(outcome));
    } catch (caught) {
      const interrupted = signal.aborted;
      const error =
        deadline.aborted && !interrupted ? await deadlineError(stage.name, options.stageDeadlineMs, options.diagnose, caught) : caught;
      record.status = interrupted ? 'interrupted' : 'failed';
      record.errors.push(messageOf(error));
      manifest.status = interrupted ? 'interrupted' : 'failed';
      manifest.errors.push(`${stage.name}: ${messageOf(error)}`);
      log.error(`${interrupted ? 'interrupted' : `failed after ${record.attempts} attempt(s)`}: ${messageOf(error)}`);
      await withinDeadline(stage.clean(), AbortSignal.timeout(ABANDON_AFTER_MS)).catch((cleanError) =>
        log.error(`could not clean up: ${messageOf(cleanError)}`),
      );
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

/**
 * `work`, or a rejection once `deadline` has fired and the work has had ABANDON_AFTER_MS more to stop on its
 * abort signal: a stage stuck in a call that never returns cannot hold the run (and the pipeline lock) for ever.
 */
async function withinDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  const giveUp = new AbortController();
  const abandoned = new Promise<never>((_, reject) => {
    const later = () =>
      void sleep(ABANDON_AFTER_MS, giveUp.signal).then(() => {
        if (!giveUp.signal.aborted) reject(new StageDeadlineError('the work did not stop after its deadline and was abandoned'));
      });
    if (deadline.aborted) later();
    else deadline.addEventListener('abort', later, { once: true });
  });
  try {
    return await Promise.race([work, abandoned]);
  } finally {
    giveUp.abort();
  }
}

async function deadlineError(
  stage: StageName,
  deadlineMs: number,
  diagnose: PipelineOptions['diagnose'],
  cause: unknown,
): Promise<StageDeadlineError> {
  const missing = await (diagnose?.() ?? Promise.resolve([])).catch((e: unknown) => [`the stack could not be checked (${messageOf(e)})`]);
  return new StageDeadlineError(
    `${stage} passed its deadline of ${Math.round(deadlineMs / 1000)} s (STAGE_DEADLINE_MS) and was interrupted: ` +
      (missing.length > 0 ? missing.join('; ') : `the stack looks healthy; last error: ${messageOf(cause)}`),
    { cause },
  );
}

function applyOutcome(record: StageRecord, outcome: StageOutcome): void {
  const { details, partial: _partial, ...counts } = outcome;
  Object.assign(record, counts);
  if (details) record.details = { ...record.details, ...details };
}

function summary(outcome: StageOutcome): Record<string, unknown> {
  const { outputs: _outputs, details: _details, ...counts } = outcome;
  return counts;
}
