import { setTimeout as delay } from 'node:timers/promises';

/**
 * Runs `attempt` until it succeeds, `retries` more tries have failed, or an error is one that `shouldRetry`
 * refuses (thrown at once); waits baseMs·2^n (+ jitter) between tries.
 */
export async function retryWithBackoff<T>(
  attempt: (tryNumber: number) => Promise<T>,
  options: {
    retries: number;
    baseMs?: number;
    maxMs?: number;
    signal?: AbortSignal;
    shouldRetry?: (error: unknown) => boolean;
    onRetry?: (error: unknown, tryNumber: number, waitMs: number) => void | Promise<void>;
  },
): Promise<T> {
  const base = options.baseMs ?? 2_000;
  const max = options.maxMs ?? 60_000;
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      return await attempt(tryNumber);
    } catch (error) {
      if (tryNumber > options.retries || options.signal?.aborted || options.shouldRetry?.(error) === false) throw error;
      const waitMs = Math.min(max, base * 2 ** (tryNumber - 1)) * (0.75 + Math.random() * 0.5);
      await options.onRetry?.(error, tryNumber, waitMs);
      await sleep(waitMs, options.signal);
    }
  }
}

/** Resolves after `ms`, or at once when `signal` is (or becomes) aborted: the caller checks the signal. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, { signal }).catch(() => undefined);
