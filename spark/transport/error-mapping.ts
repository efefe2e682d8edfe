import * as grpc from '@grpc/grpc-js';
import { fromBinary } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import type { FetchErrorDetailsResponse } from '../gen/spark/connect/base_pb.js';
import { ErrorInfoSchema } from '../gen/google/rpc/error_details_pb.js';
import { StatusSchema } from '../gen/google/rpc/status_pb.js';
import {
  SparkAnalysisError,
  SparkAuthenticationError,
  SparkConnectionError,
  SparkError,
  SparkInterruptedError,
  SparkRuntimeError,
} from '../errors.js';

/** Fetches the full error chain the server keeps under an error id (the FetchErrorDetails call). */
export type FetchErrorDetails = (errorId: string) => Promise<FetchErrorDetailsResponse>;

/** A broken transport (not an error Spark reported about the query) can be resumed by reattaching. */
export function isResumable(error: unknown): boolean {
  const e = error as grpc.ServiceError;
  if (typeof e?.code !== 'number' || errorInfoOf(e)) return false;
  return e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.INTERNAL || e.code === grpc.status.UNKNOWN;
}

export function isOperationNotFound(error: unknown): boolean {
  const e = error as grpc.ServiceError;
  return typeof e?.code === 'number' && errorInfoOf(e)?.metadata['errorClass'] === 'INVALID_HANDLE.OPERATION_NOT_FOUND';
}

export function isUnavailable(error: unknown): boolean {
  return (error as grpc.ServiceError)?.code === grpc.status.UNAVAILABLE;
}

export function isDeadlineExceeded(error: unknown): boolean {
  return (error as grpc.ServiceError)?.code === grpc.status.DEADLINE_EXCEEDED;
}

/**
 * Maps a gRPC failure to a typed Spark error, with the full error chain from FetchErrorDetails when the status
 * names an error id. `server` names the endpoint in messages a user reads.
 */
export async function toSparkError(
  error: unknown,
  operation: string,
  server: string,
  fetchDetails: FetchErrorDetails,
): Promise<SparkError> {
  if (error instanceof SparkError) return error;
  const e = error as grpc.ServiceError;
  if (typeof e?.code !== 'number') return new SparkError(`${operation} failed: ${String((error as Error)?.message ?? error)}`);
  if (e.code === grpc.status.UNAUTHENTICATED) {
    return new SparkAuthenticationError(
      `Spark Connect at ${server} refused ${operation}: authentication failed (no token, or not the server's; pass it as ;token=... in the URL)`,
      undefined, undefined, [], e.code,
    );
  }
  const info = errorInfoOf(e);
  if (!info) {
    if (e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED) {
      return new SparkConnectionError(`Spark Connect at ${server} is unavailable (${operation}): ${e.details || e.message}`, undefined, undefined, [], e.code);
    }
    if (e.code === grpc.status.CANCELLED) return new SparkInterruptedError(`${operation} was cancelled: ${e.details}`, undefined, undefined, [], e.code);
    return new SparkError(`${operation} failed (gRPC ${grpc.status[e.code]}): ${e.details || e.message}`, undefined, undefined, [], e.code);
  }
  const meta = info.metadata;
  let classes: string[] = [];
  try {
    classes = JSON.parse(meta['classes'] ?? '[]') as string[];
  } catch {
    classes = [info.reason];
  }
  let errorClass = meta['errorClass'];
  let sqlState = meta['sqlState'];
  let message = e.details || e.message;
  const errorId = meta['errorId'];
  if (errorId) {
    try {
      const details = await fetchDetails(errorId);
      const root = details.errors[details.rootErrorIdx ?? 0];
      if (root) {
        message = root.message || message;
        errorClass = root.sparkThrowable?.errorClass ?? errorClass;
        sqlState = root.sparkThrowable?.sqlState ?? sqlState;
        if (root.errorTypeHierarchy.length) classes = root.errorTypeHierarchy;
      }
    } catch {
      /* the short form from the status is still a correct, if truncated, error */
    }
  }
  const Kind = classes.some((c) => c.endsWith('AnalysisException') || c.endsWith('ParseException'))
    ? SparkAnalysisError
    : errorClass === 'OPERATION_CANCELED' || classes.some((c) => /Interrupt|Cancel/.test(c))
      ? SparkInterruptedError
      : SparkRuntimeError;
  const label = errorClass ? `[${errorClass}]${sqlState ? ` SQLSTATE ${sqlState}` : ''} ` : '';
  return new Kind(message.startsWith(`[${errorClass}]`) ? message : `${label}${message}`, errorClass, sqlState, classes, e.code);
}

/** Spark's ErrorInfo from the status details grpc-js leaves in the trailing metadata, if the server sent one. */
function errorInfoOf(error: grpc.ServiceError) {
  const raw = error.metadata?.get('grpc-status-details-bin')?.[0];
  if (!raw) return undefined;
  try {
    const status = fromBinary(StatusSchema, raw as Buffer);
    for (const detail of status.details) {
      const info = anyUnpack(detail, ErrorInfoSchema);
      if (info) return info;
    }
  } catch {
    /* not a google.rpc.Status: no details to use */
  }
  return undefined;
}
