import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import {
  AnalyzePlanRequestSchema,
  AnalyzePlanResponseSchema,
  type AnalyzePlanResponse,
  ConfigRequestSchema,
  ConfigResponseSchema,
  ExecutePlanRequestSchema,
  ExecutePlanResponseSchema,
  FetchErrorDetailsRequestSchema,
  FetchErrorDetailsResponseSchema,
  InterruptRequestSchema,
  InterruptRequest_InterruptType,
  InterruptResponseSchema,
  ReattachExecuteRequestSchema,
  ReleaseExecuteRequestSchema,
  ReleaseExecuteResponseSchema,
  ReleaseSessionRequestSchema,
  ReleaseSessionResponseSchema,
  type ExecutePlanResponse,
  type Plan,
} from '../gen/spark/connect/base_pb.js';
import { ErrorInfoSchema } from '../gen/google/rpc/error_details_pb.js';
import { StatusSchema } from '../gen/google/rpc/status_pb.js';
import {
  SparkAnalysisError,
  SparkConnectionError,
  SparkError,
  SparkInterruptedError,
  SparkRuntimeError,
} from '../errors.js';
import type { ChannelUrl } from './url.js';

const SERVICE = '/spark.connect.SparkConnectService/';
const CLIENT_TYPE = 'flight-radar-ts/0.1';

export interface TransportOptions {
  /** How long connecting may take before it fails with a message naming the URL. */
  connectTimeoutMs: number;
  /**
   * How many times in a row a broken result stream is reattached, with no response in between, before the
   * query fails. Ends of the stream the server makes on purpose do not count.
   */
  maxReattaches: number;
  /** Retries of unary calls on UNAVAILABLE. */
  unaryRetries: number;
}

/** Raised inside the stream loop when the server closed a stream cleanly before ResultComplete. */
export class StreamEndedEarly extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type AnalyzeRequest = NonNullable<MessageInitShape<typeof AnalyzePlanRequestSchema>['analyze']>;
type AnalyzeResult = {
  [C in NonNullable<AnalyzePlanResponse['result']['case']>]: Extract<AnalyzePlanResponse['result'], { case: C }>['value'];
};
/** The kinds of analysis whose result comes back under the same name. */
type AnalyzeKind = NonNullable<AnalyzeRequest['case']> & keyof AnalyzeResult;

/** What the stream loop does after a result stream stopped before ResultComplete. */
export type NextStep =
  | { kind: 'reattach'; delayMs: number }
  /** The first ExecutePlan never reached the server: send it again under the same operation id. */
  | { kind: 'resend' }
  /** `failures`: reattaches in a row that brought no response. */
  | { kind: 'fail'; failures: number };

/**
 * The resume rules of one reattachable execution, apart from the gRPC calls so they can be tested alone.
 *
 * The server ends a reattachable stream on purpose once it has been open for
 * spark.connect.execute.reattachable.senderMaxStreamDuration (2 min by default) or sent senderMaxStreamSize, so a
 * long query sees many clean ends: each is resumed at once and is not a failure. Only breaks count, and only
 * while no response arrives between them, so a long query that keeps making progress survives any number of them.
 */
export class ReattachPolicy {
  private failures = 0;
  private respondedSinceAttach = false;
  private lastId?: string;

  constructor(private readonly maxReattaches: number) {}

  /** The id of the last response received: a reattach resumes after it. */
  get lastResponseId(): string | undefined {
    return this.lastId;
  }

  received(responseId: string | undefined): void {
    this.respondedSinceAttach = true;
    if (responseId) this.lastId = responseId;
  }

  next(error: unknown): NextStep {
    if (this.respondedSinceAttach) this.failures = 0;
    this.respondedSinceAttach = false;
    if (error instanceof StreamEndedEarly) return { kind: 'reattach', delayMs: 0 };
    // ReattachExecute finds no operation when the first ExecutePlan broke before the server registered it; with
    // no response received, nothing was consumed, so running it again is safe. After a response it is not.
    if (isOperationNotFound(error) && this.lastResponseId === undefined) return { kind: 'resend' };
    if (!isResumable(error) || this.failures >= this.maxReattaches) return { kind: 'fail', failures: this.failures };
    this.failures++;
    return { kind: 'reattach', delayMs: Math.min(5_000, 250 * 2 ** this.failures) };
  }
}

/**
 * The gRPC side of a Spark Connect session: one channel, one session id, unary calls with retries, and
 * ExecutePlan as a reattachable stream that is resumed from the last response after a break.
 */
export class ConnectTransport {
  readonly sessionId: string;
  private serverSideSessionId?: string;
  private readonly client: grpc.Client;
  private closed = false;

  constructor(
    readonly url: ChannelUrl,
    private readonly options: TransportOptions,
  ) {
    this.sessionId = url.sessionId ?? randomUUID();
    const credentials = url.useSsl ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    this.client = new grpc.Client(`${url.host.includes(':') ? `[${url.host}]` : url.host}:${url.port}`, credentials, {
      'grpc.max_receive_message_length': url.maxMessageSize,
      'grpc.max_send_message_length': url.maxMessageSize,
      'grpc.primary_user_agent': url.userAgent,
      // Pings find a dead connection under a call that is silent for long (the commit of a big write). Spark
      // Connect is a grpc-java/Netty server, which by default permits a ping only every 5 minutes and answers
      // more frequent ones with GOAWAY too_many_pings, killing the very call the ping was to protect.
      'grpc.keepalive_time_ms': 300_000,
    });
  }

  /** Waits until the channel is ready, or fails within the connect deadline with the URL in the message. */
  async connect(): Promise<void> {
    const deadline = Date.now() + this.options.connectTimeoutMs;
    await new Promise<void>((resolve, reject) =>
      this.client.waitForReady(deadline, (error) =>
        error
          ? reject(
              new SparkConnectionError(
                `cannot reach Spark Connect at ${this.url.display}: no connection within ${this.options.connectTimeoutMs} ms ` +
                  `(${error.message}). Is the server running? 'make up' starts the local stack.`,
              ),
            )
          : resolve(),
      ),
    );
  }

  /** Fields every request carries. */
  private common() {
    return {
      sessionId: this.sessionId,
      userContext: { userId: this.url.userId, userName: this.url.userId },
      clientType: CLIENT_TYPE,
      clientObservedServerSideSessionId: this.serverSideSessionId,
    };
  }

  private metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    if (this.url.token) metadata.set('authorization', `Bearer ${this.url.token}`);
    return metadata;
  }

  private observe(response: { serverSideSessionId?: string }): void {
    if (response.serverSideSessionId) this.serverSideSessionId = response.serverSideSessionId;
  }

  private unaryOnce<I extends DescMessage, O extends DescMessage>(
    method: string,
    input: I,
    output: O,
    request: MessageShape<I>,
  ): Promise<MessageShape<O>> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        SERVICE + method,
        (value: MessageShape<I>) => Buffer.from(toBinary(input, value)),
        (bytes: Buffer) => fromBinary(output, bytes),
        request,
        this.metadata(),
        {},
        (error, response) => (error ? reject(error) : resolve(response as MessageShape<O>)),
      );
    });
  }

  async unary<I extends DescMessage, O extends DescMessage>(
    method: string,
    input: I,
    output: O,
    init: MessageInitShape<I>,
  ): Promise<MessageShape<O>> {
    this.assertOpen();
    const request = create(input, { ...this.common(), ...init } as MessageInitShape<I>);
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.unaryOnce(method, input, output, request);
        this.observe(response as { serverSideSessionId?: string });
        return response;
      } catch (error) {
        if ((error as grpc.ServiceError).code === grpc.status.UNAVAILABLE && attempt < this.options.unaryRetries) {
          await sleep(200 * 2 ** attempt);
          continue;
        }
        throw await this.toSparkError(error, method);
      }
    }
  }

  /**
   * Runs one AnalyzePlan request and returns the result of the same kind; a result of another kind (or none)
   * is an error, never an empty answer that reads like a real one.
   */
  async analyze<K extends AnalyzeKind>(kind: K, value: Extract<AnalyzeRequest, { case: K }>['value']): Promise<AnalyzeResult[K]> {
    const response = await this.unary('AnalyzePlan', AnalyzePlanRequestSchema, AnalyzePlanResponseSchema, {
      analyze: { case: kind, value } as AnalyzeRequest,
    });
    if (response.result.case !== kind) {
      throw new SparkError(`AnalyzePlan (${kind}) to ${this.url.display} answered with ${response.result.case ?? 'no result'} instead`);
    }
    return response.result.value as AnalyzeResult[K];
  }

  config(init: MessageInitShape<typeof ConfigRequestSchema>) {
    return this.unary('Config', ConfigRequestSchema, ConfigResponseSchema, init);
  }

  async interruptAll(): Promise<string[]> {
    const response = await this.unary('Interrupt', InterruptRequestSchema, InterruptResponseSchema, {
      interruptType: InterruptRequest_InterruptType.ALL,
    });
    return response.interruptedIds;
  }

  /**
   * Runs a plan and yields its responses as they arrive. The execution is reattachable: when the stream ends
   * early (the server does so on purpose every few minutes) or breaks, it is resumed after the last response
   * received, so no batch is lost or repeated (see ReattachPolicy); when it cannot be resumed the iteration
   * throws — it never just ends, so a consumer cannot mistake partial rows for all.
   */
  async *execute(plan: Plan): AsyncGenerator<ExecutePlanResponse> {
    this.assertOpen();
    const operationId = randomUUID();
    const request = create(ExecutePlanRequestSchema, {
      ...this.common(),
      operationId,
      plan,
      requestOptions: [{ requestOption: { case: 'reattachOptions', value: { reattachable: true } } }],
    });
    const policy = new ReattachPolicy(this.options.maxReattaches);
    let stream = this.serverStream('ExecutePlan', request);
    let complete = false;
    try {
      while (!complete) {
        try {
          for await (const response of stream as AsyncIterable<ExecutePlanResponse>) {
            this.observe(response);
            policy.received(response.responseId);
            if (response.responseType.case === 'resultComplete') complete = true;
            yield response;
          }
          if (!complete) throw new StreamEndedEarly(`the result stream of operation ${operationId} ended before ResultComplete`);
        } catch (error) {
          if (complete) break;
          const step = policy.next(error);
          if (step.kind === 'fail') {
            const sparkError = await this.toSparkError(error, 'ExecutePlan');
            if (isResumable(error)) {
              throw new SparkConnectionError(
                `the result stream of operation ${operationId} from ${this.url.display} broke and could not be resumed ` +
                  `after ${step.failures} reattach(es) in a row without progress: ${sparkError.message}`,
              );
            }
            throw sparkError;
          }
          stream.cancel();
          if (step.kind === 'resend') {
            stream = this.serverStream('ExecutePlan', request);
            continue;
          }
          if (step.delayMs) await sleep(step.delayMs);
          stream = this.serverStream(
            'ReattachExecute',
            create(ReattachExecuteRequestSchema, { ...this.common(), operationId, lastResponseId: policy.lastResponseId }),
          );
        }
      }
    } finally {
      stream.cancel();
      // Frees the server's buffered responses; the query is over either way, so its failure is not ours to raise.
      void this.unaryOnce(
        'ReleaseExecute',
        ReleaseExecuteRequestSchema,
        ReleaseExecuteResponseSchema,
        create(ReleaseExecuteRequestSchema, { ...this.common(), operationId, release: { case: 'releaseAll', value: {} } }),
      ).catch(() => undefined);
    }
  }

  private serverStream(method: 'ExecutePlan' | 'ReattachExecute', request: MessageShape<DescMessage>): grpc.ClientReadableStream<ExecutePlanResponse> {
    const schema = method === 'ExecutePlan' ? ExecutePlanRequestSchema : ReattachExecuteRequestSchema;
    return this.client.makeServerStreamRequest(
      SERVICE + method,
      (value: MessageShape<typeof schema>) => Buffer.from(toBinary(schema, value)),
      (bytes: Buffer) => fromBinary(ExecutePlanResponseSchema, bytes),
      request as MessageShape<typeof schema>,
      this.metadata(),
      {},
    );
  }

  /** Maps a gRPC failure to a typed Spark error, with the full error chain from FetchErrorDetails when offered. */
  private async toSparkError(error: unknown, operation: string): Promise<SparkError> {
    if (error instanceof SparkError) return error;
    const e = error as grpc.ServiceError;
    if (typeof e?.code !== 'number') return new SparkError(`${operation} failed: ${String((error as Error)?.message ?? error)}`);
    const info = errorInfoOf(e);
    if (!info) {
      if (e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED) {
        return new SparkConnectionError(`Spark Connect at ${this.url.display} is unavailable (${operation}): ${e.details || e.message}`, undefined, undefined, [], e.code);
      }
      if (e.code === grpc.status.CANCELLED) return new SparkInterruptedError(`${operation} was cancelled: ${e.details}`, undefined, undefined, [], e.code);
      return new SparkError(`${operation} failed (gRPC ${grpc.status[e.code]}): ${e.details || e.message}`, undefined, undefined, [], e.code);
    }
    const meta = info.metadata;
    let classes: string[] = [];
    try {
      classes = JSON.parse(meta.classes ?? '[]') as string[];
    } catch {
      classes = [info.reason];
    }
    let errorClass = meta.errorClass;
    let sqlState = meta.sqlState;
    let message = e.details || e.message;
    if (meta.errorId) {
      try {
        const details = await this.unaryOnce('FetchErrorDetails', FetchErrorDetailsRequestSchema, FetchErrorDetailsResponseSchema,
          create(FetchErrorDetailsRequestSchema, { ...this.common(), errorId: meta.errorId }));
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

  /**
   * Ends the server-side session (its cached state and running queries) and closes the channel. The channel
   * is closed even when the release fails; that failure is then raised as a SparkError.
   */
  async close(options: { release?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    try {
      // Through the normal path, so the release names the same user and server-side session as every request.
      if (options.release !== false) await this.unary('ReleaseSession', ReleaseSessionRequestSchema, ReleaseSessionResponseSchema, {});
    } finally {
      this.closed = true;
      this.client.close();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SparkConnectionError(`the session ${this.sessionId} to ${this.url.display} was stopped`);
  }
}

/** A broken transport (not an error Spark reported about the query) can be resumed by reattaching. */
function isResumable(error: unknown): boolean {
  const e = error as grpc.ServiceError;
  if (typeof e?.code !== 'number' || errorInfoOf(e)) return false;
  return e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.INTERNAL || e.code === grpc.status.UNKNOWN;
}

function isOperationNotFound(error: unknown): boolean {
  const e = error as grpc.ServiceError;
  return typeof e?.code === 'number' && errorInfoOf(e)?.metadata.errorClass === 'INVALID_HANDLE.OPERATION_NOT_FOUND';
}

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
