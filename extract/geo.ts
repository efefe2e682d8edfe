/**
 * Rectangular cells of the globe in degrees, and how they become FR24 `bounds` strings.
 * A cell never crosses the antimeridian: the globe is tiled from -180 to 180, so a flight at
 * 179.9° and one at -179.9° fall into neighbouring cells of the same tiling.
 */
import { z } from 'zod';

export const CellSchema = z.object({
  south: z.number().min(-90).max(90),
  north: z.number().min(-90).max(90),
  west: z.number().min(-180).max(180),
  east: z.number().min(-180).max(180),
});
export type Cell = z.infer<typeof CellSchema>;

export const WHOLE_GLOBE: Cell = { south: -90, north: 90, west: -180, east: 180 };

/** FR24's `bounds` parameter: `maxLat,minLat,minLon,maxLon`, as flightradarapi's getBounds() builds it. */
export function boundsParam(cell: Cell): string {
  return `${round6(cell.north)},${round6(cell.south)},${round6(cell.west)},${round6(cell.east)}`;
}

export function parseBounds(bounds: string): { north: number; south: number; west: number; east: number } | undefined {
  const parts = bounds.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p))) return undefined;
  const [north, south, west, east] = parts as [number, number, number, number];
  return { north, south, west, east };
}

export function cellLabel(cell: Cell): string {
  return `[${boundsParam(cell)}]`;
}

export const width = (cell: Cell): number => cell.east - cell.west;
export const height = (cell: Cell): number => cell.north - cell.south;

/** Inclusive containment, like FR24's boxes: a point on a shared edge is returned by both cells (dedup handles it). */
export function contains(cell: Cell, lat: number, lon: number): boolean {
  return lat >= cell.south && lat <= cell.north && lon >= cell.west && lon <= cell.east;
}

/** A cell that cannot be split without going below the minimum cell size in both directions. */
export function isAtomic(cell: Cell, minCellDeg: number): boolean {
  return width(cell) <= minCellDeg && height(cell) <= minCellDeg;
}

function round6(x: number): string {
  return String(Math.round(x * 1e6) / 1e6);
}
