/**
 * When a reattachable result stream stops before ResultComplete (spark/transport/reattach.ts, client.ts): the server's own
 * periodic stream ends are resumed at once and never fail a long query; breaks fail it only when they repeat
 * without progress; an ExecutePlan lost before reaching the server is sent again. The rules alone
 * (ReattachPolicy), then the transport against an in-process gRPC server that ends and breaks its streams.
 */
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ExecutePlanRequestSchema,
  ExecutePlanResponseSchema,
  PlanSchema,
  ConfigRequestSchema,
  ConfigResponseSchema,
  ReattachExecuteRequestSchema,
  ReleaseExecuteRequestSchema,
  ReleaseExecuteResponseSchema,
  ReleaseSessionRequestSchema,
  ReleaseSessionResponseSchema,
  type ExecutePlanResponse,
  type ReleaseSessionRequest,
} from '../../spark/gen/spark/connect/base_pb.js';
import { ErrorInfoSchema } from '../../spark/gen/google/rpc/error_details_pb.js';
import { StatusSchema } from '../../spark/gen/google/rpc/status_pb.js';
import { SparkConnectionError, SparkError, SparkStreamStalledError } from '../../spark/errors.js';
import { ConnectTransport } from '../../spark/transport/client.js';
import { QUIET_END_MS, ReattachPolicy, StreamEndedEarly } from '../../spark/transport/reattach.js';
import { parseChannelUrl } from '../../spark/transport/url.js';

const cleanEnd = () => new StreamEndedEarly('ended before ResultComplete');

/** A gRPC failure as grpc-js raises it; with `errorClass`, Spark's ErrorInfo rides in the status details. */
function grpcError(code: grpc.status, errorClass?: string): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (errorClass) {
    const info = create(ErrorInfoSchema, { reason: 'org.apache.spark.SparkSQLException', metadata: { errorClass } });
    const status = create(StatusSchema, { code, message: errorClass, details: [anyPack(ErrorInfoSchema, info)] });
    metadata.set('grpc-status-details-bin', Buffer.from(toBinary(StatusSchema, status)));
  }
  return Object.assign(new Error(grpc.status[code]), { code, details: errorClass ?? '', metadata });
}
const unavailable = () => grpcError(grpc.status.UNAVAILABLE);

describe('ReattachPolicy', () => {
  it('resumes a stream the server ended on purpose at once, however often, without counting it', () => {
    const policy = new ReattachPolicy(3);
    policy.received('r1');
    expect(policy.next(cleanEnd(), 5)).toEqual({ kind: 'reattach', delayMs: 0 });
    // A query that runs for an hour with no output sees ~30 such ends (one per senderMaxStreamDuration).
    for (let i = 0; i < 30; i++) expect(policy.next(cleanEnd(), 120_000)).toEqual({ kind: 'reattach', delayMs: 0 });
    expect(policy.lastResponseId).toBe('r1');
    // They did not use up the allowance for real breaks.
    for (let i = 0; i < 3; i++) expect(policy.next(unavailable()).kind).toBe('reattach');
    expect(policy.next(unavailable())).toEqual({ kind: 'fail', failures: 3, ended: false });
  });

  it('backs off between breaks, and fails after maxReattaches of them in a row without a response', () => {
    const policy = new ReattachPolicy(2);
    expect(policy.next(unavailable())).toEqual({ kind: 'reattach', delayMs: 500 });
    expect(policy.next(grpcError(grpc.status.INTERNAL))).toEqual({ kind: 'reattach', delayMs: 1000 });
    expect(policy.next(unavailable())).toEqual({ kind: 'fail', failures: 2, ended: false });
  });

  it('counts quick clean ends with nothing in them (a server that spins), backs off, and fails after the limit', () => {
    const policy = new ReattachPolicy(2);
    expect(policy.next(cleanEnd(), 3)).toEqual({ kind: 'reattach', delayMs: 500 });
    expect(policy.next(cleanEnd(), QUIET_END_MS - 1)).toEqual({ kind: 'reattach', delayMs: 1000 });
    expect(policy.next(cleanEnd(), 3)).toEqual({ kind: 'fail', failures: 2, ended: true });
  });

  it('starts counting afresh once a response arrived since the last reattach', () => {
    const policy = new ReattachPolicy(2);
    for (let round = 0; round < 10; round++) {
      expect(policy.next(unavailable()).kind).toBe('reattach');
      expect(policy.next(unavailable()).kind).toBe('reattach');
      policy.received(`r${round}`);
    }
    expect(policy.lastResponseId).toBe('r9');
  });

  it('sends ExecutePlan again when the reattach finds no operation and nothing was received', () => {
    const policy = new ReattachPolicy(3);
    expect(policy.next(unavailable()).kind).toBe('reattach');
    expect(policy.next(grpcError(grpc.status.INTERNAL, 'INVALID_HANDLE.OPERATION_NOT_FOUND'))).toEqual({ kind: 'resend' });
    // The resend does not reset the count: a server that stays unreachable still fails the query.
    expect(policy.next(unavailable()).kind).toBe('reattach');
    expect(policy.next(unavailable()).kind).toBe('reattach');
    expect(policy.next(unavailable())).toEqual({ kind: 'fail', failures: 3, ended: false });
  });

  it('fails when the operation is gone after responses were received: resending would repeat them', () => {
    const policy = new ReattachPolicy(3);
    policy.received('r1');
    expect(policy.next(grpcError(grpc.status.INTERNAL, 'INVALID_HANDLE.OPERATION_NOT_FOUND'))).toEqual({ kind: 'fail', failures: 0, ended: false });
  });

  it('fails at once on an error Spark reported about the query', () => {
    const policy = new ReattachPolicy(3);
    expect(policy.next(grpcError(grpc.status.INTERNAL, 'DIVIDE_BY_ZERO'))).toEqual({ kind: 'fail', failures: 0, ended: false });
    expect(policy.next(grpcError(grpc.status.INVALID_ARGUMENT))).toEqual({ kind: 'fail', failures: 0, ended: false });
  });
});

/** One method of the Connect service, (de)serialized with the generated schemas. */
function method<I extends DescMessage, O extends DescMessage>(name: string, input: I, output: O, responseStream: boolean) {
  return {
    path: `/spark.connect.SparkConnectService/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: (m: MessageShape<I>) => Buffer.from(toBinary(input, m)),
    requestDeserialize: (b: Buffer) => fromBinary(input, b),
    responseSerialize: (m: MessageShape<O>) => Buffer.from(toBinary(output, m)),
    responseDeserialize: (b: Buffer) => fromBinary(output, b),
  };
}

/**
 * A Connect server whose one query has `total` responses (the last is ResultComplete) and that, after each
 * response it sends, does `afterEach`: end the stream cleanly as Spark does every senderMaxStreamDuration, or
 * break it; 'nothing' ends every stream cleanly at once without a response (a server that spins). With
 * `loseFirstExecute`, the first ExecutePlan fails before the operation is registered. Config never answers.
 */
class FakeConnect {
  readonly calls: string[] = [];
  readonly operationIds: string[] = [];
  released?: ReleaseSessionRequest;
  private registered = false;
  private readonly server = new grpc.Server();
  port = 0;

  constructor(
    private readonly options: { total: number; afterEach: 'end' | 'break' | 'nothing'; loseFirstExecute?: boolean; failRelease?: boolean },
  ) {
    this.server.addService(
      {
        ExecutePlan: method('ExecutePlan', ExecutePlanRequestSchema, ExecutePlanResponseSchema, true),
        ReattachExecute: method('ReattachExecute', ReattachExecuteRequestSchema, ExecutePlanResponseSchema, true),
        ReleaseExecute: method('ReleaseExecute', ReleaseExecuteRequestSchema, ReleaseExecuteResponseSchema, false),
        ReleaseSession: method('ReleaseSession', ReleaseSessionRequestSchema, ReleaseSessionResponseSchema, false),
        Config: method('Config', ConfigRequestSchema, ConfigResponseSchema, false),
      },
      {
        ExecutePlan: (call: grpc.ServerWritableStream<MessageShape<typeof ExecutePlanRequestSchema>, ExecutePlanResponse>) => {
          this.calls.push('ExecutePlan');
          this.operationIds.push(call.request.operationId!);
          if (this.options.loseFirstExecute && this.calls.length === 1) {
            call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'connection reset before the server saw the request' });
            return;
          }
          this.registered = true;
          this.send(call, 0);
        },
        ReattachExecute: (call: grpc.ServerWritableStream<MessageShape<typeof ReattachExecuteRequestSchema>, ExecutePlanResponse>) => {
          this.calls.push(`Reattach(${call.request.lastResponseId ?? '-'})`);
          if (!this.registered) {
            call.emit('error', grpcError(grpc.status.INTERNAL, 'INVALID_HANDLE.OPERATION_NOT_FOUND'));
            return;
          }
          this.send(call, Number((call.request.lastResponseId ?? 'r-1').slice(1)) + 1);
        },
        ReleaseExecute: (_call: unknown, done: grpc.sendUnaryData<MessageShape<typeof ReleaseExecuteResponseSchema>>) =>
          done(null, create(ReleaseExecuteResponseSchema)),
        Config: () => this.calls.push('Config'),
        ReleaseSession: (
          call: grpc.ServerUnaryCall<ReleaseSessionRequest, unknown>,
          done: grpc.sendUnaryData<MessageShape<typeof ReleaseSessionResponseSchema>>,
        ) => {
          this.released = call.request;
          if (this.options.failRelease) done({ code: grpc.status.FAILED_PRECONDITION, details: 'session is busy' });
          else done(null, create(ReleaseSessionResponseSchema, { sessionId: call.request.sessionId }));
        },
      },
    );
  }

  /** Sends response `index` (r<index>), then ends or breaks the stream: one response per stream. */
  private send(call: grpc.ServerWritableStream<unknown, ExecutePlanResponse>, index: number) {
    if (this.options.afterEach === 'nothing') return void call.end();
    const last = index === this.options.total - 1;
    call.write(
      create(ExecutePlanResponseSchema, {
        responseId: `r${index}`,
        serverSideSessionId: 'server-session',
        responseType: last ? { case: 'resultComplete', value: {} } : { case: undefined },
      }),
    );
    if (last || this.options.afterEach === 'end') call.end();
    else call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'connection lost' });
  }

  async start(): Promise<this> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve(port))),
    );
    return this;
  }
  stop(): void {
    this.server.forceShutdown();
  }
}

describe('ConnectTransport.execute against a server that ends and breaks its streams', () => {
  let fake: FakeConnect | undefined;
  let transport: ConnectTransport | undefined;
  afterEach(async () => {
    await transport?.close({ release: false });
    fake?.stop();
  });

  async function connect(options: ConstructorParameters<typeof FakeConnect>[0], maxReattaches: number, callTimeoutMs = 2000) {
    fake = await new FakeConnect(options).start();
    transport = new ConnectTransport(parseChannelUrl(`sc://127.0.0.1:${fake.port}/;user_id=tester`), {
      connectTimeoutMs: 2000,
      maxReattaches,
      unaryRetries: 0,
      callTimeoutMs,
    });
    await transport.connect();
    return transport;
  }

  async function run(options: ConstructorParameters<typeof FakeConnect>[0], maxReattaches: number) {
    const transport = await connect(options, maxReattaches);
    const ids: string[] = [];
    for await (const response of transport.execute(create(PlanSchema))) ids.push(response.responseId);
    return ids;
  }

  it('a long query whose stream the server ends after every response: every response once, no failure', async () => {
    const ids = await run({ total: 12, afterEach: 'end' }, 1);
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => `r${i}`));
    expect(fake!.calls.filter((c) => c.startsWith('Reattach'))).toHaveLength(11);
  });

  it('a stand-in that ends every stream cleanly with nothing in it: a typed error after the limit, with backoff, in seconds', async () => {
    const started = Date.now();
    const error = await run({ total: 3, afterEach: 'nothing' }, 3).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(SparkStreamStalledError);
    expect(error).toBeInstanceOf(SparkConnectionError);
    expect((error as Error).message).toMatch(/ended 4 times in a row without a response, .*; gave up after 3 reattach\(es\) with backoff/);
    expect(fake!.calls).toEqual(['ExecutePlan', 'Reattach(-)', 'Reattach(-)', 'Reattach(-)']);
    // Backoff 0.5 + 1 + 2 s between the ends: not a spin, and not for ever.
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('a unary call the server never answers fails at its deadline, naming the call and the server', async () => {
    const transport = await connect({ total: 1, afterEach: 'end' }, 1, 300);
    const started = Date.now();
    const error = await transport.config({ operation: { opType: { case: 'get', value: { keys: ['k'] } } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SparkConnectionError);
    expect((error as Error).message).toMatch(/Config to sc:\/\/127\.0\.0\.1:\d+\S* got no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake!.calls).toEqual(['Config']);
  });

  it('breaks, each after progress, never add up to maxReattaches', async () => {
    const ids = await run({ total: 4, afterEach: 'break' }, 1);
    expect(ids).toEqual(['r0', 'r1', 'r2', 'r3']);
  });

  it('an ExecutePlan lost before the server registered it is sent again under the same operation id', async () => {
    const ids = await run({ total: 3, afterEach: 'end', loseFirstExecute: true }, 2);
    expect(ids).toEqual(['r0', 'r1', 'r2']);
    expect(fake!.calls.slice(0, 3)).toEqual(['ExecutePlan', 'Reattach(-)', 'ExecutePlan']);
    expect(new Set(fake!.operationIds).size).toBe(1);
  });

  it('close() releases the session as every request names it, and reports a failed release as a SparkError', async () => {
    await run({ total: 1, afterEach: 'end', failRelease: true }, 1);
    const error = await transport!.close().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SparkError);
    expect((error as SparkError).message).toMatch(/ReleaseSession failed \(gRPC FAILED_PRECONDITION\): session is busy/);
    expect(fake!.released).toMatchObject({ userContext: { userId: 'tester', userName: 'tester' }, clientType: expect.any(String) });
  });
});
