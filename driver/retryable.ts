/**
 * Which failures of a stage can go away on a retry. Only those are retried: the rest (an analysis error, row
 * accounting that does not add up, a bronze file with the wrong header, a bug) fail the same way every time,
 * so the stage fails at once with its reason instead of spending the run's time on backoff.
 */
import { SparkAnalysisError, SparkConnectionError, SparkError, SparkInterruptedError } from '../spark/index.js';

/** gRPC UNAVAILABLE: the Connect server is down or restarting. */
const GRPC_UNAVAILABLE = 14;

/** Node and undici codes of a connection that failed or broke (the server may be back on the next try). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** S3 error codes that the service itself documents as transient. */
const S3_TRANSIENT = new Set(['InternalError', 'ServiceUnavailable', 'SlowDown', 'RequestTimeout', 'XMinioServerNotInitialized']);

/**
 * What a Spark task failure says when the cause is the cluster, not the query: an executor or worker lost, or
 * the object store answering 5xx or throttling through S3A.
 */
const SPARK_TRANSIENT =
  /ExecutorLostFailure|executor \S+ (?:was )?lost|Lost executor|worker lost|heartbeat timed out|SparkConnect session .*(?:closed|not found)|INVALID_HANDLE\.SESSION|Status Code: 5\d\d|\b50[0-4] (?:Internal|Service|Bad|Gateway)|SlowDown|AWSStatus5|Connection reset|Connection refused/i;

export type RetryVerdict = { retry: true; why: string } | { retry: false; why: string };

/** Why (and whether) `error` is worth another attempt; looks through `cause` chains. */
export function retryVerdict(error: unknown): RetryVerdict {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const verdict = ownVerdict(e);
    if (verdict) return verdict;
  }
  return { retry: false, why: `not a transient failure (${error instanceof Error ? error.name : typeof error})` };
}

function ownVerdict(e: Error): RetryVerdict | undefined {
  // An error may say for itself (extract/ marks its own transient failures; it does not import the driver).
  const declared = (e as { retryable?: unknown }).retryable;
  if (typeof declared === 'boolean') return { retry: declared, why: `${e.name} says it is ${declared ? '' : 'not '}transient` };
  if (e instanceof SparkInterruptedError) return { retry: false, why: 'interrupted' };
  if (e instanceof SparkAnalysisError) return { retry: false, why: 'the query cannot be analyzed; it fails the same way every time' };
  if (e instanceof SparkConnectionError || (e instanceof SparkError && e.grpcCode === GRPC_UNAVAILABLE)) {
    return { retry: true, why: 'Spark Connect unreachable or restarting' };
  }
  if (e instanceof SparkError) {
    return SPARK_TRANSIENT.test(e.message)
      ? { retry: true, why: 'the cluster lost an executor or the object store failed' }
      : { retry: false, why: `Spark ${e.errorClass ?? e.name}: a query error fails the same way every time` };
  }
  const code = (e as NodeJS.ErrnoException).code;
  if (code && NETWORK_CODES.has(code)) return { retry: true, why: `network (${code})` };
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if ((status !== undefined && status >= 500) || S3_TRANSIENT.has(e.name)) return { retry: true, why: `object store ${status ?? e.name}` };
  if (e.name === 'TimeoutError') return { retry: true, why: 'a request timed out' };
  return undefined;
}
