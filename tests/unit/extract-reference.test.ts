/** When a reference fetch may replace the stored version (extract/reference/reference.ts). */
import { describe, expect, it } from 'vitest';
import { refusal } from '../../extract/reference/reference.js';

describe('refusal of a reference fetch', () => {
  it('refuses a list much smaller than the stored one, and airports without coordinates', () => {
    expect(refusal('airports', { csv: '', rows: 3, located: 0 }, 5600)).toBe('3 airports where the stored version has 5600 (less than 50 %)');
    expect(refusal('airlines', { csv: '', rows: 2799 }, 5600)).toMatch(/^2799 airlines where the stored version has 5600/);
    expect(refusal('airports', { csv: '', rows: 5000, located: 4000 }, undefined)).toBe('1000 of 5000 airports without coordinates');
  });

  it('accepts a first fetch, a list that shrank a little, or grew', () => {
    expect(refusal('airports', { csv: '', rows: 5600, located: 5600 }, undefined)).toBeUndefined();
    expect(refusal('airlines', { csv: '', rows: 2800 }, 5600)).toBeUndefined();
    expect(refusal('airports', { csv: '', rows: 7000, located: 6900 }, 5600)).toBeUndefined();
  });
});
