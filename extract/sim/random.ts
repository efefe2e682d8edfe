/** A small seeded PRNG (mulberry32) and helpers, so the synthetic world is the same for the same seed. */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rand: Random, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

export const intBetween = (rand: Random, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

/** Pick an index with probability proportional to its weight, from prefix sums (binary search). */
export function weightedIndex(rand: Random, cumulative: Float64Array): number {
  const total = cumulative[cumulative.length - 1] as number;
  const x = rand() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
