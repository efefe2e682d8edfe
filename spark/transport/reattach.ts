import { isOperationNotFound, isResumable } from './error-mapping.js';

/**
 * A clean end after a stream was open this long, with nothing in it, is the server rotating a quiet query's
 * stream (it does so every senderMaxStreamDuration, 2 min by default); a quicker one is a server that spins.
 */
export const QUIET_END_MS = 10_000;

/** Raised inside the stream loop when the server closed a stream cleanly before ResultComplete. */
export class StreamEndedEarly extends Error {}

/** What the stream loop does after a result stream stopped before ResultComplete. */
export type NextStep =
  | { kind: 'reattach'; delayMs: number }
  /** The first ExecutePlan never reached the server: send it again under the same operation id. */
  | { kind: 'resend' }
  /** `failures`: reattaches in a row that brought no response. */
  | { kind: 'fail'; failures: number; ended?: boolean };

/**
 * The resume rules of one reattachable execution, apart from the gRPC calls so they can be tested alone.
 *
 * The server ends a reattachable stream on purpose once it has been open for
 * spark.connect.execute.reattachable.senderMaxStreamDuration (2 min by default) or sent senderMaxStreamSize, so a
 * long query sees many clean ends: one that brought a response, or came after a quiet stream was open for
 * QUIET_END_MS, is resumed at once and is not a failure. Breaks, and clean ends that come quickly with nothing
 * in them (a server that spins), count, with backoff, and only while no response arrives between them: a long
 * query that keeps making progress survives any number of them, a spinning server fails it after the limit.
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

  /** `openMs`: how long the stream that stopped had been open. */
  next(error: unknown, openMs = 0): NextStep {
    const progressed = this.respondedSinceAttach;
    if (progressed) this.failures = 0;
    this.respondedSinceAttach = false;
    const ended = error instanceof StreamEndedEarly;
    if (ended && (progressed || openMs >= QUIET_END_MS)) return { kind: 'reattach', delayMs: 0 };
    // ReattachExecute finds no operation when the first ExecutePlan broke before the server registered it; with
    // no response received, nothing was consumed, so running it again is safe. After a response it is not.
    if (!ended && isOperationNotFound(error) && this.lastResponseId === undefined) return { kind: 'resend' };
    if ((!ended && !isResumable(error)) || this.failures >= this.maxReattaches) return { kind: 'fail', failures: this.failures, ended };
    this.failures++;
    return { kind: 'reattach', delayMs: Math.min(5_000, 250 * 2 ** this.failures) };
  }
}
