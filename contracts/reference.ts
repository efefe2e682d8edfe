/**
 * The reference files (docs/SPEC.md §2): written by the extractor from FR24's lists, read by gold. Headers in
 * file order; contracts/csv.ts dialect; a value FR24 does not know is an empty field.
 */
export const AIRPORTS_COLUMNS = ['iata', 'icao', 'name', 'latitude', 'longitude', 'altitude', 'country'] as const;
export const AIRLINES_COLUMNS = ['name', 'iata', 'icao'] as const;
