/** Splitting a capped cell: the pieces tile it exactly, respect the minimum size, and isolate a dense spot. */
import { describe, expect, it } from 'vitest';
import { plannedLoad, splitCell, type Point } from '../../extract/crawl/planner.js';
import { WHOLE_GLOBE, type Cell } from '../../extract/index.js';
import { seededRandom } from '../../extract/sim/random.js';

const area = (c: Cell) => (c.north - c.south) * (c.east - c.west);
const overlap = (a: Cell, b: Cell) =>
  Math.max(0, Math.min(a.north, b.north) - Math.max(a.south, b.south)) * Math.max(0, Math.min(a.east, b.east) - Math.max(a.west, b.west));

function expectTiling(parent: Cell, pieces: Cell[]) {
  expect(pieces.length).toBeGreaterThan(1);
  expect(pieces.reduce((s, p) => s + area(p), 0)).toBeCloseTo(area(parent), 6);
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    expect(p.south >= parent.south && p.north <= parent.north && p.west >= parent.west && p.east <= parent.east).toBe(true);
    expect(area(p)).toBeGreaterThan(0);
    for (let j = i + 1; j < pieces.length; j++) expect(overlap(p, pieces[j]!)).toBeCloseTo(0, 9);
  }
}

const opts = { cap: 1500, minCellDeg: 0.25, fill: 0.8, mode: 'adaptive' as const };

describe('splitCell', () => {
  const rand = seededRandom(3);
  const sample: Point[] = Array.from({ length: 1500 }, () => ({ lat: 30 + 30 * rand(), lon: -10 + 40 * rand() }));

  it('cuts into about reported / (fill x cap) pieces that tile the cell', () => {
    const pieces = splitCell(WHOLE_GLOBE, sample, 12_000, opts);
    expectTiling(WHOLE_GLOBE, pieces.map((p) => p.cell));
    expect(pieces.length).toBe(Math.ceil(12_000 / (0.8 * 1500)));
    // Balanced on the sample: each piece holds about the same number of sample points.
    for (const p of pieces) expect(p.points).toBeGreaterThan(100);
    expect(pieces.reduce((s, p) => s + p.points, 0)).toBe(1500);
  });

  it('plans pieces fuller the more complete the sample is, never past 95 % of the cap', () => {
    expect(plannedLoad(20_000 / 1500, 1500)).toBeGreaterThan(1200);
    expect(plannedLoad(20_000 / 1500, 1500)).toBeLessThan(1300);
    expect(plannedLoad(100_000 / 1500, 1500)).toBeLessThan(plannedLoad(20_000 / 1500, 1500));
    expect(plannedLoad(1, 1500)).toBeGreaterThan(1400);
    expect(plannedLoad(0.01, 1500)).toBe(0.95 * 1500);
  });

  it('plans for the error of a count that is itself an estimate (a feed whose boxes report no count of their own)', () => {
    // Without it: the t with t + 2 sqrt(t x perPoint) = cap, solved as a quadratic in sqrt(t) here.
    const perPoint = 17_000 / 1500;
    const root = (-2 * Math.sqrt(perPoint) + Math.sqrt(4 * perPoint + 4 * 1500)) / 2;
    expect(plannedLoad(perPoint, 1500)).toBeCloseTo(root * root, 3);
    // A count estimated from 250 points of the parent's sample is off by about 1 / sqrt(250) = 6 %, in every piece alike.
    const relVar = 1 / 250;
    const t = plannedLoad(perPoint, 1500, relVar);
    expect(t).toBeLessThan(plannedLoad(perPoint, 1500) - 30);
    expect(t + 2 * Math.sqrt(t * perPoint + t * t * relVar)).toBeCloseTo(1500, 3);
    const cell = { south: 30, north: 60, west: -10, east: 30 };
    const adaptive = { cap: 1500, minCellDeg: 0.25, mode: 'adaptive' as const };
    const exact = splitCell(cell, sample, 17_000, adaptive);
    const estimated = splitCell(cell, sample, 17_000, adaptive, relVar);
    expectTiling(cell, estimated.map((p) => p.cell));
    expect(estimated.length).toBeGreaterThan(exact.length);
    expect(Math.max(...exact.map((p) => p.estimate!))).toBeGreaterThan(t);
    for (const p of estimated) expect(p.estimate!).toBeLessThanOrEqual(t * 1.0001);
    for (const p of estimated) expect(p.estimateRelVar).toBeCloseTo(relVar + 1 / p.points, 12);
  });

  it('with a thin sample of a crowded box, first cuts a few pieces meant to come back capped', () => {
    const total = 100_000;
    const pieces = splitCell(WHOLE_GLOBE, sample, total, { cap: 1500, minCellDeg: 0.25, mode: 'adaptive' });
    expectTiling(WHOLE_GLOBE, pieces.map((p) => p.cell));
    const direct = Math.ceil(total / plannedLoad(total / 1500, 1500));
    expect(pieces.length).toBeLessThan(direct / 4);
    for (const p of pieces) expect((p.points * total) / 1500).toBeGreaterThan(1500);
  });

  it('falls back to four quarters when the box count is unknown or in quad mode', () => {
    const cell = { south: 0, north: 10, west: 0, east: 20 };
    const quads = splitCell(cell, sample, undefined, { ...opts, mode: 'quad' }).map((p) => p.cell);
    expectTiling(cell, quads);
    expect(quads).toHaveLength(4);
  });

  it('never cuts a side at or under the minimum, and leaves an atomic cell whole', () => {
    const thin = { south: 40, north: 40.2, west: 0, east: 10 };
    const pieces = splitCell(thin, sample.map((p) => ({ lat: 40.1, lon: p.lon / 4 + 2.5 })), 5000, opts).map((p) => p.cell);
    expectTiling(thin, pieces);
    for (const p of pieces) expect([p.south, p.north]).toEqual([40, 40.2]);
    const atomic = { south: 40, north: 40.25, west: 0, east: 0.25 };
    expect(splitCell(atomic, [{ lat: 40.1, lon: 0.1 }], 5000, opts).map((p) => p.cell)).toEqual([atomic]);
  });

  it('cuts a minimum-size square around a spot denser than the cap', () => {
    const spot = { lat: 43.9844, lon: -88.5571 };
    const points = [...Array.from({ length: 1400 }, () => spot), ...sample.slice(0, 100)];
    const cell = { south: 0, north: 60, west: -100, east: 0 };
    const pieces = splitCell(cell, points, 3000, opts);
    expectTiling(cell, pieces.map((p) => p.cell));
    const square = pieces.find((p) => p.points >= 1400)!;
    expect(square.cell.north - square.cell.south).toBeLessThanOrEqual(0.25);
    expect(square.cell.east - square.cell.west).toBeLessThanOrEqual(0.25);
  });
});
