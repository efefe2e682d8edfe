/**
 * Typed Spark errors. Spark Connect reports a failure as a gRPC status whose details carry a google.rpc.ErrorInfo
 * (the exception class, error class, SQLSTATE, an error id); the full chain comes from FetchErrorDetails.
 */
export class SparkError extends Error {
  override name = 'SparkError';
  constructor(
    message: string,
    /** Spark's error class, e.g. UNRESOLVED_COLUMN.WITH_SUGGESTION; undefined for errors Spark did not classify. */
    readonly errorClass?: string,
    /** The SQLSTATE of the error class, e.g. 42703. */
    readonly sqlState?: string,
    /** The JVM exception class hierarchy, most specific first. */
    readonly exceptionClasses: string[] = [],
    readonly grpcCode?: number,
  ) {
    super(message);
  }
}

/** A query that cannot be analyzed: unknown column or table, type mismatch, bad SQL. */
export class SparkAnalysisError extends SparkError {
  override name = 'SparkAnalysisError';
}

/** The query started and failed while running (a task failed for good, a cast failed under ANSI, ...). */
export class SparkRuntimeError extends SparkError {
  override name = 'SparkRuntimeError';
}

/** The operation was interrupted (SparkSession.interruptAll, or the server cancelled it). */
export class SparkInterruptedError extends SparkError {
  override name = 'SparkInterruptedError';
}

/** The server could not be reached, did not answer a call in time, or the connection broke and could not be resumed. */
export class SparkConnectionError extends SparkError {
  override name = 'SparkConnectionError';
}

/** A result stream the server kept ending without a response: given up after the reattach limit. */
export class SparkStreamStalledError extends SparkConnectionError {
  override name = 'SparkStreamStalledError';
}

/** The server refused the call's credentials: no Spark Connect token, or not the right one. Nothing ran. */
export class SparkAuthenticationError extends SparkError {
  override name = 'SparkAuthenticationError';
}
