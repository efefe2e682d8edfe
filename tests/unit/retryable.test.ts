import { describe, expect, it } from 'vitest';
import { retryVerdict } from '../../driver/retryable.js';
import { retryWithBackoff } from '../../driver/retry.js';
import { RowAccountingError } from '../../jobs/index.js';
import { SparkAnalysisError, SparkConnectionError, SparkError, SparkInterruptedError, SparkRuntimeError } from '../../spark/index.js';

const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('which failures are retried', () => {
  it('retries the network, a Connect restart, a lost executor and S3 5xx', () => {
    for (const error of [
      new SparkConnectionError('UNAVAILABLE: Connection refused'),
      new SparkRuntimeError('Job aborted due to stage failure: ExecutorLostFailure (executor 1 exited)', 'SPARK_JOB_ABORTED'),
      new SparkRuntimeError('org.apache.hadoop.fs.s3a.AWSStatus500Exception: ... Status Code: 503'),
      new SparkError('14 UNAVAILABLE: the server restarts', undefined, undefined, [], 14),
      s3Error('SlowDown', 503),
      s3Error('InternalError', 500),
      new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' }) }),
      Object.assign(new Error('extract failed'), { retryable: true }),
    ]) {
      expect(retryVerdict(error).retry, String(error)).toBe(true);
    }
  });

  it('does not retry an analysis error, row accounting, a bad header, an S3 4xx, an interrupt or an unknown error', () => {
    for (const error of [
      new SparkAnalysisError('[UNRESOLVED_COLUMN.WITH_SUGGESTION] no_such_column', 'UNRESOLVED_COLUMN.WITH_SUGGESTION', '42703'),
      new RowAccountingError('gold 3 rows for 4 silver rows'),
      new Error('silver: cannot read bronze s3a://b/x.csv: CSV header does not conform to the schema'),
      new SparkRuntimeError('[CAST_INVALID_INPUT] The value abc cannot be cast to INT'),
      new SparkInterruptedError('operation interrupted'),
      s3Error('AccessDenied', 403),
      Object.assign(new Error('refused'), { retryable: false, code: 'ECONNRESET' }),
    ]) {
      expect(retryVerdict(error).retry, String(error)).toBe(false);
    }
  });

  it('retryWithBackoff gives up at once on an error it must not retry', async () => {
    let attempts = 0;
    const run = retryWithBackoff(
      async () => {
        attempts++;
        throw new RowAccountingError('never adds up');
      },
      { retries: 5, baseMs: 1, shouldRetry: (error) => retryVerdict(error).retry },
    );
    await expect(run).rejects.toThrow('never adds up');
    expect(attempts).toBe(1);
  });
});
