/**
 * The seed gold sample (tests/fixtures/seed-gold-sample.parquet: 1000 real flights in the original project's
 * gold schema, docs/SPEC.md §5) read in plain TypeScript with a pure-JS Parquet reader, so tests can derive
 * expected answers without Spark.
 */
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';

export interface SeedFlight {
  id: string;
  aircraft_code: string | null;
  time: string;
  latitude: number;
  longitude: number;
  origin_airport_iata: string | null;
  destination_airport_iata: string | null;
  number: string | null;
  on_ground: number;
  airline_icao: string | null;
  origin_airport_name: string | null;
  origin_latitude: number | null;
  origin_longitude: number | null;
  origin_continent: string | null;
  origin_country: string | null;
  destination_airport_name: string | null;
  destination_latitude: number | null;
  destination_longitude: number | null;
  destination_continent: string | null;
  destination_country: string | null;
  airline_name: string | null;
  distance: number | null;
}

export const SEED_GOLD_PATH = fileURLToPath(new URL('../fixtures/seed-gold-sample.parquet', import.meta.url));

export async function readSeedGold(path = SEED_GOLD_PATH): Promise<SeedFlight[]> {
  return (await parquetReadObjects({ file: await asyncBufferFromFile(path) })) as SeedFlight[];
}
