/**
 * The seed gold sample (shared/fixtures) read in plain TypeScript with a pure-JS Parquet reader, so tests can
 * derive expected answers without Spark.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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

/** shared/ sits beside the repository (CI: a fresh clone with shared/ next to it). */
export const SEED_GOLD_PATH = [
  resolve(import.meta.dirname, '../../../shared/fixtures/seed-gold-sample.parquet'),
  '/work/shared/fixtures/seed-gold-sample.parquet',
].find((p) => existsSync(p)) as string;

export async function readSeedGold(path = SEED_GOLD_PATH): Promise<SeedFlight[]> {
  if (!path) throw new Error('shared/fixtures/seed-gold-sample.parquet not found beside the repository');
  return (await parquetReadObjects({ file: await asyncBufferFromFile(path) })) as SeedFlight[];
}
