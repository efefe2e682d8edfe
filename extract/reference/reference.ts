/**
 * Airlines and airports, fetched through flightradarapi on the first run (or when a refresh is asked for),
 * stored as CSV in the bucket and reused afterwards. A failed or empty fetch never overwrites good data:
 * the stored file stays, the run logs why. With nothing stored either, the file is reported 'missing' with
 * the reason, for the caller to fail the run (gold cannot be built without it).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { rawText } from '../bronze/csv.js';
import { fr24 } from '../fr24/library.js';
import { DEFAULT_RETRY, PauseGate, withRetries } from '../fr24/retry.js';
import { AIRLINES_COLUMNS, AIRLINES_KEY, AIRPORTS_COLUMNS, AIRPORTS_KEY, csvLine } from '../../contracts/index.js';
import { objectExists } from '../s3.js';

export interface ReferenceFile {
  key: string;
  rows?: number;
  action: 'kept' | 'written' | 'missing';
  /** Why the fetch failed, when it did (the file is then 'missing', or 'kept' from an earlier run). */
  error?: string;
}

export interface ReferenceOutcome {
  /** True when at least one reference file was fetched and written in this run. */
  fetched: boolean;
  airports: ReferenceFile;
  airlines: ReferenceFile;
}

interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

const text = (v: unknown) => (v === 'N/A' ? '' : rawText(v));

export async function airportsCsv(api: InstanceType<typeof fr24.FlightRadar24API>): Promise<{ csv: string; rows: number }> {
  const airports = await api.getAirports();
  const lines = airports.map((a) => csvLine([a.iata, a.icao, a.name, a.latitude, a.longitude, a.altitude, a.country].map(text)));
  return { csv: csvLine(AIRPORTS_COLUMNS) + lines.join(''), rows: lines.length };
}

export async function airlinesCsv(api: InstanceType<typeof fr24.FlightRadar24API>): Promise<{ csv: string; rows: number }> {
  const airlines = await api.getAirlines();
  const lines = airlines.map((a) => csvLine([a.Name, a.IATA, a.ICAO].map(text)));
  return { csv: csvLine(AIRLINES_COLUMNS) + lines.join(''), rows: lines.length };
}

/** Expects flightradarapi already pointed at the right hosts (see useFr24BaseUrl). */
export async function ensureReference(opts: {
  client: S3Client;
  bucket: string;
  refresh: boolean;
  timeoutMs: number;
  retries: number;
  logger?: Logger;
  signal?: AbortSignal;
}): Promise<ReferenceOutcome> {
  const api = new fr24.FlightRadar24API({ timeout: opts.timeoutMs });
  const gate = new PauseGate();
  const one = async (key: string, what: string, build: () => Promise<{ csv: string; rows: number }>): Promise<ReferenceFile> => {
    const exists = await objectExists(opts.client, opts.bucket, key);
    if (exists && !opts.refresh) return { key, action: 'kept' };
    const outcome = await withRetries(async () => {
      const built = await build();
      if (built.rows === 0) throw new Error(`FR24 returned no ${what}`);
      return built;
    }, { ...DEFAULT_RETRY, retries: opts.retries }, gate, { signal: opts.signal });
    if (!outcome.value) {
      const why = outcome.error?.message ?? 'unknown error';
      if (exists) {
        opts.logger?.warn(`${what} refresh failed (${why}); keeping the stored s3://${opts.bucket}/${key}`);
        return { key, action: 'kept', error: why };
      }
      return { key, action: 'missing', error: why };
    }
    await opts.client.send(new PutObjectCommand({ Bucket: opts.bucket, Key: key, Body: outcome.value.csv, ContentType: 'text/csv; charset=utf-8' }));
    opts.logger?.info(`${what}: ${outcome.value.rows} rows written to s3://${opts.bucket}/${key}`);
    return { key, rows: outcome.value.rows, action: 'written' };
  };
  const airports = await one(AIRPORTS_KEY, 'airports', () => airportsCsv(api));
  const airlines = await one(AIRLINES_KEY, 'airlines', () => airlinesCsv(api));
  return { fetched: airports.action === 'written' || airlines.action === 'written', airports, airlines };
}
