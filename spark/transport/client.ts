import { randomUUID } from 'node:crypto';
import { create, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import {
  AnalyzePlanRequestSchema,
  AnalyzePlanResponseSchema,
  type AnalyzePlanResponse,
  ConfigRequestSchema,
  ConfigResponseSchema,
  ExecutePlanRequestSchema,
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
import { SparkConnectionError, SparkError, SparkStreamStalledError } from '../errors.js';
import { ConnectChannel } from './channel.js';
import { isDeadlineExceeded, isResumable, isUnavailable, toSparkError } from './error-mapping.js';
import { ReattachPolicy, StreamEndedEarly } from './reattach.js';
import type { ChannelUrl } from './url.js';

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
  /** How long one unary call (analysis, config, interrupt, release) may wait for its answer. */
  callTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type AnalyzeRequest = NonNullable<MessageInitShape<typeof AnalyzePlanRequestSchema>['analyze']>;
type AnalyzeResult = {
  [C in NonNullable<AnalyzePlanResponse['result']['case']>]: Extract<AnalyzePlanResponse['result'], { case: C }>['value'];
};
/** The kinds of analysis whose result comes back under the same name. */
type AnalyzeKind = NonNullable<AnalyzeRequest['case']> & keyof AnalyzeResult;

/**
 * A Spark Connect session over one channel (channel.ts): one session id, unary calls with retries, typed errors
 * (error-mapping.ts), and ExecutePlan as a reattachable stream resumed from the last response after a break
 * (reattach.ts).
 */
export class ConnectTransport {
  readonly sessionId: string;
  private serverSideSessionId?: string;
  private readonly channel: ConnectChannel;
  private closed = false;

  constructor(
    readonly url: ChannelUrl,
    private readonly options: TransportOptions,
  ) {
    this.sessionId = url.sessionId ?? randomUUID();
    this.channel = new ConnectChannel(url);
  }

  /** Waits until the channel is ready, or fails within the connect deadline with the URL in the message. */
  connect(): Promise<void> {
    return this.channel.waitForReady(this.options.connectTimeoutMs);
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

  private observe(response: { serverSideSessionId?: string }): void {
    if (response.serverSideSessionId) this.serverSideSessionId = response.serverSideSessionId;
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
        const response = await this.channel.unary(method, input, output, request, this.options.callTimeoutMs);
        this.observe(response as { serverSideSessionId?: string });
        return response;
      } catch (error) {
        if (isUnavailable(error) && attempt < this.options.unaryRetries) {
          await sleep(200 * 2 ** attempt);
          continue;
        }
        // Not retried: the server may still be working on it (an analysis over many files).
        if (isDeadlineExceeded(error)) {
          throw new SparkConnectionError(
            `${method} to ${this.url.display} got no answer within ${this.options.callTimeoutMs} ms; the server is stuck or overloaded`,
          );
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
  async *execute(plan: Plan, tags: readonly string[] = []): AsyncGenerator<ExecutePlanResponse> {
    this.assertOpen();
    const operationId = randomUUID();
    const request = create(ExecutePlanRequestSchema, {
      ...this.common(),
      operationId,
      plan,
      tags: [...tags],
      requestOptions: [{ requestOption: { case: 'reattachOptions', value: { reattachable: true } } }],
    });
    const policy = new ReattachPolicy(this.options.maxReattaches);
    let stream = this.channel.resultStream({ method: 'ExecutePlan', request });
    let openedAt = Date.now();
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
          const step = policy.next(error, Date.now() - openedAt);
          if (step.kind === 'fail' && step.ended) {
            throw new SparkStreamStalledError(
              `the result stream of operation ${operationId} from ${this.url.display} ended ${step.failures + 1} times in a row ` +
                `without a response, each soon after it was opened; gave up after ${step.failures} reattach(es) with backoff`,
            );
          }
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
            stream = this.channel.resultStream({ method: 'ExecutePlan', request });
            openedAt = Date.now();
            continue;
          }
          if (step.delayMs) await sleep(step.delayMs);
          openedAt = Date.now();
          stream = this.channel.resultStream({
            method: 'ReattachExecute',
            request: create(ReattachExecuteRequestSchema, { ...this.common(), operationId, lastResponseId: policy.lastResponseId }),
          });
        }
      }
    } finally {
      stream.cancel();
      // Frees the server's buffered responses; the query is over either way, so its failure is not ours to raise.
      void this.channel
        .unary(
          'ReleaseExecute',
          ReleaseExecuteRequestSchema,
          ReleaseExecuteResponseSchema,
          create(ReleaseExecuteRequestSchema, { ...this.common(), operationId, release: { case: 'releaseAll', value: {} } }),
          this.options.callTimeoutMs,
        )
        .catch(() => undefined);
    }
  }

  private toSparkError(error: unknown, operation: string): Promise<SparkError> {
    return toSparkError(error, operation, this.url.display, (errorId) =>
      this.channel.unary(
        'FetchErrorDetails',
        FetchErrorDetailsRequestSchema,
        FetchErrorDetailsResponseSchema,
        create(FetchErrorDetailsRequestSchema, { ...this.common(), errorId }),
        this.options.callTimeoutMs,
      ),
    );
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
      this.channel.close();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SparkConnectionError(`the session ${this.sessionId} to ${this.url.display} was stopped`);
  }
}
