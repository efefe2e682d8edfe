/**
 * ICAO aircraft type designator (Doc 8643, what FR24 calls `aircraft_code`) → manufacturer, from the
 * project's reference file `aircraft-types.csv` (public knowledge; one row per designator). A designator
 * that is not listed gets the manufacturer `Unknown` (see UNKNOWN_MANUFACTURER).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const UNKNOWN_MANUFACTURER = 'Unknown';

const AircraftTypeRow = z.object({
  designator: z.string().regex(/^[A-Z0-9]{2,4}$/, 'an ICAO type designator (2-4 capitals or digits)'),
  manufacturer: z.string().min(1),
  model: z.string().min(1),
});
export type AircraftTypeRow = z.infer<typeof AircraftTypeRow>;

export const AIRCRAFT_TYPES_FILE = new URL('./aircraft-types.csv', import.meta.url);

/** Parses the reference file (plain CSV without quoted fields); throws naming the line of any bad row. */
export function parseAircraftTypes(text: string, source = 'aircraft-types.csv'): AircraftTypeRow[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines[0] !== 'designator,manufacturer,model') throw new Error(`${source}: header must be designator,manufacturer,model`);
  const seen = new Set<string>();
  return lines.slice(1).map((line, i) => {
    const [designator, manufacturer, model, ...extra] = line.split(',');
    const parsed = AircraftTypeRow.safeParse({ designator, manufacturer, model });
    if (!parsed.success || extra.length > 0) throw new Error(`${source} line ${i + 2}: bad row '${line}'`);
    if (seen.has(parsed.data.designator)) throw new Error(`${source} line ${i + 2}: designator ${designator} listed twice`);
    seen.add(parsed.data.designator);
    return parsed.data;
  });
}

let cached: AircraftTypeRow[] | undefined;
export function aircraftTypes(): AircraftTypeRow[] {
  cached ??= parseAircraftTypes(readFileSync(AIRCRAFT_TYPES_FILE, 'utf8'));
  return cached;
}

/** The manufacturer of a designator as the jobs compute it (trimmed, upper case), `Unknown` when not listed. */
export function manufacturerOf(designator: string | null | undefined): string {
  const key = (designator ?? '').trim().toUpperCase();
  return aircraftTypes().find((row) => row.designator === key)?.manufacturer ?? UNKNOWN_MANUFACTURER;
}
