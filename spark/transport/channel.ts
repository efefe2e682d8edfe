import * as grpc from '@grpc/grpc-js';
import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import {
  ExecutePlanRequestSchema,
  ExecutePlanResponseSchema,
  ReattachExecuteRequestSchema,
  type ExecutePlanRequest,
  type ExecutePlanResponse,
  type ReattachExecuteRequest,
} from '../gen/spark/connect/base_pb.js';
import { SparkConnectionError } from '../errors.js';
import type { ChannelUrl } from './url.js';

const SERVICE = '/spark.connect.SparkConnectService/';

/** The streaming calls that answer with ExecutePlanResponses, and the request each takes. */
export type ResultStreamCall =
  | { method: 'ExecutePlan'; request: ExecutePlanRequest }
  | { method: 'ReattachExecute'; request: ReattachExecuteRequest };

/**
 * The gRPC calls of the SparkConnectService on one channel, each sent once with the URL's token: no retries and
 * no error mapping (client.ts adds those).
 */
export class ConnectChannel {
  private readonly client: grpc.Client;

  constructor(private readonly url: ChannelUrl) {
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

  /** Waits until the channel is ready, or fails within `timeoutMs` with the URL in the message. */
  async waitForReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await new Promise<void>((resolve, reject) =>
      this.client.waitForReady(deadline, (error) =>
        error
          ? reject(
              new SparkConnectionError(
                `cannot reach Spark Connect at ${this.url.display}: no connection within ${timeoutMs} ms ` +
                  `(${error.message}). Is the server running? 'make up' starts the local stack.`,
              ),
            )
          : resolve(),
      ),
    );
  }

  /** One unary call that fails with DEADLINE_EXCEEDED when no answer came within `timeoutMs`. */
  unary<I extends DescMessage, O extends DescMessage>(
    method: string,
    input: I,
    output: O,
    request: MessageShape<I>,
    timeoutMs: number,
  ): Promise<MessageShape<O>> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        SERVICE + method,
        (value: MessageShape<I>) => Buffer.from(toBinary(input, value)),
        (bytes: Buffer) => fromBinary(output, bytes),
        request,
        this.metadata(),
        { deadline: Date.now() + timeoutMs },
        (error, response) => (error ? reject(error) : resolve(response as MessageShape<O>)),
      );
    });
  }

  resultStream(call: ResultStreamCall): grpc.ClientReadableStream<ExecutePlanResponse> {
    const serialize =
      call.method === 'ExecutePlan'
        ? (value: ExecutePlanRequest) => Buffer.from(toBinary(ExecutePlanRequestSchema, value))
        : (value: ReattachExecuteRequest) => Buffer.from(toBinary(ReattachExecuteRequestSchema, value));
    return this.client.makeServerStreamRequest(
      SERVICE + call.method,
      serialize as (value: ResultStreamCall['request']) => Buffer,
      (bytes: Buffer) => fromBinary(ExecutePlanResponseSchema, bytes),
      call.request,
      this.metadata(),
      {},
    );
  }

  close(): void {
    this.client.close();
  }

  private metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    if (this.url.token) metadata.set('authorization', `Bearer ${this.url.token}`);
    return metadata;
  }
}
