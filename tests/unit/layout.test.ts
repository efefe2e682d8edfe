import { describe, expect, it } from 'vitest';
import { layoutFor, ONE_PARTITION_MAX_BYTES } from '../../jobs/layout.js';

describe('layoutFor', () => {
  it('reads an hourly snapshot as one partition and spreads a large or unknown input', () => {
    expect(layoutFor(2_700_000)).toBe('one partition'); // a 20,000-flight bronze file
    expect(layoutFor(0)).toBe('one partition');
    expect(layoutFor(ONE_PARTITION_MAX_BYTES)).toBe('one partition');
    expect(layoutFor(ONE_PARTITION_MAX_BYTES + 1)).toBe('spread');
    expect(layoutFor(270_000_000)).toBe('spread'); // 2,000,000 flights
    expect(layoutFor(undefined)).toBe('spread');
  });
});
