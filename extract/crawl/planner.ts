/**
 * How a capped cell is split.
 *
 * A capped answer is not wasted: its flights are a spread-out sample of the box (FR24 thins a crowded
 * view across the whole box), and stats.visible says how many the box really holds. The adaptive split
 * cuts the cell, k-d style at sample quantiles, into as few pieces as should each come back under the cap.
 * How full a piece may be planned depends on how much each sample point stands for: a piece estimated at
 * t flights from a sample is off by about sqrt(t x flights-per-point), so t is chosen with two such errors
 * of room below the cap; when the box's count is itself an estimate (a feed whose full_count is the feed's
 * total gives a box no count of its own, so the parent's sample estimated it), that estimate's error is
 * shared by every piece and planned for too. When one sample stands for many flights (a crowded world seen
 * through one capped answer), it is cheaper to first cut into a few pieces meant to come back capped, each bringing a denser
 * sample of its part, and plan the final pieces from those: the split picks whichever costs fewer requests.
 * Without a count it falls back to four pieces, like a quadtree. A minimum-size square whose estimated
 * flights alone exceed the cap (an unsplittable cluster) is cut out on its own.
 *
 * Every cut leaves both sides at least half the minimum cell size wide and is never made along a side
 * already at or under the minimum, so recursion ends; a cell at the minimum in both directions is atomic.
 */
import { contains, height, isAtomic, width, type Cell } from '../geo.js';

export interface Point {
  lat: number;
  lon: number;
}

export interface Piece {
  cell: Cell;
  /** Sample points of the parent's answer inside this piece (0: the parent saw none there). */
  points: number;
  /** Flights the piece should hold (its points x what each stands for), when the parent's count was known. */
  estimate?: number;
  /** The estimate's relative variance: its own sample's (1 / points) plus that of the count it was cut from. */
  estimateRelVar?: number;
}

export interface SplitOptions {
  cap: number;
  minCellDeg: number;
  /** Fixed share of the cap per planned piece; default: from the sample's error (see plannedLoad). */
  fill?: number;
  mode: 'adaptive' | 'quad';
}

const roundCut = (x: number) => Math.round(x * 1e4) / 1e4;

export function insidePoints(cell: Cell, points: Point[]): Point[] {
  return points.filter((p) => contains(cell, p.lat, p.lon));
}

/**
 * Pieces tiling `cell` (no gaps; shared edges only). Never returns the cell itself unless it is atomic.
 * `totalRelVar`: the relative variance of `reportedTotal` when it is an estimate (0: a count the feed gave).
 */
export function splitCell(cell: Cell, sample: Point[], reportedTotal: number | undefined, options: SplitOptions, totalRelVar = 0): Piece[] {
  const points = insidePoints(cell, sample);
  if (isAtomic(cell, options.minCellDeg)) return [{ cell, points: points.length }];
  if (options.mode === 'quad' || points.length === 0) return quad(cell, points, options.minCellDeg);
  const known = reportedTotal !== undefined && reportedTotal > points.length;
  let perPoint: number;
  let target: number;
  if (!known) {
    // Without a reported count, assume as many flights as four pieces hold.
    target = (options.fill ?? 0.8) * options.cap;
    perPoint = (4 * target) / points.length;
  } else {
    const total = reportedTotal as number;
    perPoint = total / points.length;
    target = options.fill !== undefined ? options.fill * options.cap : plannedLoad(perPoint, options.cap, totalRelVar);
    const direct = Math.ceil(total / target);
    const staged = stagedPlan(total, options);
    // Intermediate pieces: planned to come back capped, each a fresh sample of its part.
    if (options.fill === undefined && staged.requests < direct) target = total / staged.pieces;
  }
  const pieces = kd(cell, points, perPoint, target, options, true);
  if (pieces.length <= 1) return quad(cell, points, options.minCellDeg);
  if (!known) return pieces;
  return pieces.map((p) => ({ ...p, estimate: Math.round(p.points * perPoint), estimateRelVar: totalRelVar + 1 / Math.max(1, p.points) }));
}

/** Margin of sample errors planned below the cap. */
const Z = 2;

/**
 * Flights a piece may be planned to hold when each sample point stands for `perPoint` flights and the box's
 * count has the relative variance `totalRelVar`: the largest t with t + Z x sqrt(t x perPoint + t² x
 * totalRelVar) <= cap (the left side grows with t, so it is found by bisection), never more than 95 % of the cap.
 */
export function plannedLoad(perPoint: number, cap: number, totalRelVar = 0): number {
  let [fits, over] = [0, cap];
  for (let i = 0; i < 40; i++) {
    const t = (fits + over) / 2;
    if (t + Z * Math.sqrt(t * perPoint + t * t * totalRelVar) <= cap) fits = t;
    else over = t;
  }
  return Math.min(0.95 * cap, fits);
}

/** The cheapest two-stage plan: m capped pieces first, then final pieces planned from their samples. */
function stagedPlan(total: number, o: SplitOptions): { pieces: number; requests: number } {
  let best = { pieces: 0, requests: Number.POSITIVE_INFINITY };
  for (let m = 2; m <= 64 && total / m > o.cap; m++) {
    const requests = m + Math.ceil(total / plannedLoad(total / m / o.cap, o.cap));
    if (requests < best.requests) best = { pieces: m, requests };
  }
  return best;
}

function kd(cell: Cell, points: Point[], perPoint: number, target: number, o: SplitOptions, mustSplit: boolean): Piece[] {
  const estimate = points.length * perPoint;
  // A little slack so that planning exactly m pieces of total/m each does not round up to m + 1.
  if ((!mustSplit && estimate <= target * 1.0001) || isAtomic(cell, o.minCellDeg)) return [{ cell, points: points.length }];

  const heavy = heavySquare(cell, points, perPoint, o);
  if (heavy) {
    return isolate(cell, heavy).flatMap((part) =>
      part === heavy ? [{ cell: part, points: insidePoints(part, points).length }] : kd(part, insidePoints(part, points), perPoint, target, o, false),
    );
  }

  const k = Math.max(2, Math.ceil(estimate / target));
  const k1 = Math.floor(k / 2);
  const axis = chooseAxis(cell, points, o.minCellDeg);
  const [lo, hi] = axis === 'lon' ? [cell.west, cell.east] : [cell.south, cell.north];
  const coords = points.map((p) => (axis === 'lon' ? p.lon : p.lat)).sort((a, b) => a - b);
  const cut = clampCut(quantileCut(coords, k1 / k, lo, hi), lo, hi, o.minCellDeg);
  const [a, b] = axis === 'lon'
    ? [{ ...cell, east: cut }, { ...cell, west: cut }]
    : [{ ...cell, north: cut }, { ...cell, south: cut }];
  const pa = points.filter((p) => (axis === 'lon' ? p.lon : p.lat) < cut);
  const pb = points.filter((p) => (axis === 'lon' ? p.lon : p.lat) >= cut);
  return [...kd(a, pa, perPoint, target, o, false), ...kd(b, pb, perPoint, target, o, false)];
}

/** Cut along the direction the sample spreads most (longitude scaled by cos(latitude)), if that side can be cut. */
function chooseAxis(cell: Cell, points: Point[], minCellDeg: number): 'lat' | 'lon' {
  const canLon = width(cell) > minCellDeg;
  const canLat = height(cell) > minCellDeg;
  if (!canLon) return 'lat';
  if (!canLat) return 'lon';
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const midLat = (cell.south + cell.north) / 2;
  const spreadLon = (Math.max(...lons) - Math.min(...lons)) * Math.max(0.2, Math.cos((midLat * Math.PI) / 180));
  const spreadLat = Math.max(...lats) - Math.min(...lats);
  return spreadLon >= spreadLat ? 'lon' : 'lat';
}

/** A cut between two distinct sample values near the wanted quantile (ties cannot be separated by a line). */
function quantileCut(sorted: number[], q: number, lo: number, hi: number): number {
  const n = sorted.length;
  if (n < 2) return (lo + hi) / 2;
  const want = Math.min(n - 1, Math.max(1, Math.round(n * q)));
  for (let d = 0; d < n; d++) {
    for (const i of [want - d, want + d]) {
      if (i >= 1 && i < n && (sorted[i - 1] as number) < (sorted[i] as number)) return ((sorted[i - 1] as number) + (sorted[i] as number)) / 2;
    }
  }
  return (lo + hi) / 2;
}

function clampCut(cut: number, lo: number, hi: number, minCellDeg: number): number {
  const margin = Math.min(minCellDeg / 2, (hi - lo) / 2);
  return roundCut(Math.min(hi - margin, Math.max(lo + margin, cut)));
}

/** The minimum-size grid square whose sample says it holds more than the cap on its own, if any. */
function heavySquare(cell: Cell, points: Point[], perPoint: number, o: SplitOptions): Cell | undefined {
  const size = o.minCellDeg;
  const counts = new Map<string, number>();
  let best: [string, number] | undefined;
  for (const p of points) {
    const key = `${Math.floor(p.lat / size)},${Math.floor(p.lon / size)}`;
    const c = (counts.get(key) ?? 0) + 1;
    counts.set(key, c);
    if (!best || c > best[1]) best = [key, c];
  }
  // Only once the cluster dominates what is left of the cell: by then the k-d cuts (which cannot pass
  // through identical positions) have pushed it against the cell's edges, so cutting it out costs fewer pieces.
  if (!best || best[1] < 3 || best[1] * perPoint <= o.cap || best[1] < 0.5 * points.length) return undefined;
  const [i, j] = best[0].split(',').map(Number) as [number, number];
  const square: Cell = {
    south: Math.max(cell.south, roundCut(i * size)),
    north: Math.min(cell.north, roundCut((i + 1) * size)),
    west: Math.max(cell.west, roundCut(j * size)),
    east: Math.min(cell.east, roundCut((j + 1) * size)),
  };
  const same = square.south === cell.south && square.north === cell.north && square.west === cell.west && square.east === cell.east;
  return same ? undefined : square;
}

/** `inner` plus up to four rectangles around it: full-height strips west and east, the column below and above. */
function isolate(cell: Cell, inner: Cell): Cell[] {
  const parts: Cell[] = [];
  if (inner.west > cell.west) parts.push({ ...cell, east: inner.west });
  if (inner.east < cell.east) parts.push({ ...cell, west: inner.east });
  if (inner.south > cell.south) parts.push({ ...inner, south: cell.south, north: inner.south });
  parts.push(inner);
  if (inner.north < cell.north) parts.push({ ...inner, south: inner.north, north: cell.north });
  return parts;
}

/** Four quarters (two halves when one side is already at the minimum). */
export function quad(cell: Cell, points: Point[], minCellDeg: number): Piece[] {
  const cutLon = width(cell) > minCellDeg ? roundCut((cell.west + cell.east) / 2) : undefined;
  const cutLat = height(cell) > minCellDeg ? roundCut((cell.south + cell.north) / 2) : undefined;
  const cols: Array<[number, number]> = cutLon === undefined ? [[cell.west, cell.east]] : [[cell.west, cutLon], [cutLon, cell.east]];
  const rows: Array<[number, number]> = cutLat === undefined ? [[cell.south, cell.north]] : [[cell.south, cutLat], [cutLat, cell.north]];
  const pieces: Piece[] = [];
  for (const [south, north] of rows) {
    for (const [west, east] of cols) {
      const c = { south, north, west, east };
      pieces.push({ cell: c, points: insidePoints(c, points).length });
    }
  }
  return pieces;
}
