/**
 * Bronze rows (contracts/bronze.ts): one per feed record, every field as received. Nothing is cleaned here
 * (silver quarantines what cannot be cleaned): a string is written as is, null or a missing field as an
 * empty field, anything else (numbers, booleans, nested JSON) as its JSON text.
 */
import { BRONZE_COLUMNS, csvLine, type BronzeColumn } from '../../contracts/index.js';

/** Feed array index of each bronze column (flightradarapi's Flight field map; 17 is unused by FR24). */
const FEED_INDEX: Partial<Record<BronzeColumn, number>> = {
  icao_24bit: 0, latitude: 1, longitude: 2, heading: 3, altitude: 4, ground_speed: 5, squawk: 6, radar: 7,
  aircraft_code: 8, registration: 9, time: 10, origin_airport_iata: 11, destination_airport_iata: 12, number: 13,
  on_ground: 14, vertical_speed: 15, callsign: 16, airline_icao: 18,
};

export function rawText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

export const bronzeHeader = (): string => csvLine(BRONZE_COLUMNS);

/**
 * A feed record as a bronze row. A record that is not an array keeps only its id (its fields cannot be
 * placed); `airline_iata` is derived as flightradarapi derives it: the first two characters of `number`.
 */
export function bronzeRow(id: string, record: unknown, snapshotTime: string): string {
  const fields = Array.isArray(record) ? record : [];
  const number = fields[13];
  return csvLine(
    BRONZE_COLUMNS.map((column) => {
      if (column === 'id') return id;
      if (column === 'snapshot_time') return snapshotTime;
      if (column === 'airline_iata') return typeof number === 'string' ? number.slice(0, 2) : '';
      const index = FEED_INDEX[column];
      return index === undefined ? '' : rawText(fields[index]);
    }),
  );
}
