import { isOperationNotFound, isResumable } from './error-mapping.js';

/** Raised inside the stream loop when the server closed a stream cleanly before ResultComplete. */
export class StreamEndedEarly extends Error {}

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
