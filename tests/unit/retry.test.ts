import { describe, expect, it } from 'vitest';
import { retryWithBackoff } from '../../driver/retry.js';

describe('retryWithBackoff', () => {
  it('retries until success, waiting longer each time', async () => {
    const waits: number[] = [];
    let calls = 0;
    const value = await retryWithBackoff(
      async () => {
        calls++;
        if (calls < 3) throw new Error(`boom ${calls}`);
        return 'ok';
      },
      { retries: 5, baseMs: 10, onRetry: (_e, _n, waitMs) => void waits.push(waitMs) },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);
    expect(waits[1]).toBeGreaterThan(waits[0]! * 1.1); // 10·2 with ±25% jitter still exceeds 10·1 with jitter
  });

  it('gives up after the allowed retries with the last error', async () => {
    let calls = 0;
    await expect(
      retryWithBackoff(async () => {
        calls++;
        throw new Error(`failure ${calls}`);
      }, { retries: 2, baseMs: 1 }),
    ).rejects.toThrow('failure 3');
    expect(calls).toBe(3);
  });
});
