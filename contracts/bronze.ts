/**
 * A bronze file (docs/SPEC.md §2): one CSV row per feed record, every field as received (contracts/csv.ts
 * dialect), in this column order, which is also its header. Silver reads the columns by these names and
 * fails on any other header.
 */
export const BRONZE_COLUMNS = [
  'id', 'icao_24bit', 'latitude', 'longitude', 'heading', 'altitude', 'ground_speed', 'squawk', 'radar',
  'aircraft_code', 'registration', 'time', 'origin_airport_iata', 'destination_airport_iata', 'number',
  'airline_iata', 'on_ground', 'vertical_speed', 'callsign', 'airline_icao', 'snapshot_time',
] as const;

export type BronzeColumn = (typeof BRONZE_COLUMNS)[number];

/** `snapshot_time` of every row: ISO-8601 UTC without milliseconds, e.g. 2026-11-25T07:00:00Z. */
export const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
