/**
 * Retries with exponential backoff and jitter that honour Retry-After, and a shared pause: when FR24
 * says "slow down" (429 + Retry-After) every worker waits, not only the one that was told.
 */
import { FeedRequestError } from './feed-client.js';

export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is cut to it (an hour-long Retry-After would stall the hourly run). */
  maxRetryAfterMs: number;
  random?: () => number;
}

export const DEFAULT_RETRY: Omit<RetryPolicy, 'retries'> = { baseDelayMs: 500, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 };

export class PauseGate {
  private until = 0;
  pause(ms: number): void {
    this.until = Math.max(this.until, Date.now() + ms);
  }
  async wait(signal?: AbortSignal): Promise<void> {
    while (Date.now() < this.until && !signal?.aborted) await sleep(this.until - Date.now(), signal);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Delay before retry number `attempt` (0-based): equal-jitter exponential backoff, at least the Retry-After. */
export function backoffMs(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const random = policy.random ?? Math.random;
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = exp / 2 + random() * (exp / 2);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

export interface AttemptOutcome<T> {
  value?: T;
  error?: Error;
  attempts: number;
}

/** Runs `attempt` until it succeeds or the retries are spent; never throws (the caller decides what a failure means). */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  gate: PauseGate,
  hooks: { signal?: AbortSignal; onRetry?: (error: Error, delayMs: number) => void } = {},
): Promise<AttemptOutcome<T>> {
  let lastError: Error | undefined;
  for (let n = 0; n <= policy.retries; n++) {
    await gate.wait(hooks.signal);
    if (hooks.signal?.aborted) return { error: new Error('extraction aborted'), attempts: n };
    try {
      return { value: await attempt(n), attempts: n + 1 };
    } catch (error) {
      lastError = error instanceof Error ? error : new Error(String(error));
      // Stopped while this attempt ran: neither a retry nor a "retrying" log line.
      if (n === policy.retries || hooks.signal?.aborted) return { error: lastError, attempts: n + 1 };
      const retryAfter = lastError instanceof FeedRequestError ? lastError.retryAfterMs : undefined;
      const delay = backoffMs(policy, n, retryAfter);
      if (retryAfter !== undefined) gate.pause(delay);
      hooks.onRetry?.(lastError, delay);
      await sleep(delay, hooks.signal);
    }
  }
  return { error: lastError, attempts: policy.retries + 1 };
}

/** At most `limit` tasks at once. */
export class Limiter {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so the limit holds at every instant.
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
