/**
 * Airlines and airports, fetched through flightradarapi on the first run (or when a refresh is asked for),
 * stored as CSV in the bucket and reused afterwards. Every accepted fetch is kept as its own version
 * (referenceVersionKey), never overwritten; `reference/<what>.csv` is a copy of the current version whose
 * metadata names it, so gold can record (and a re-run reuse) the exact version it joined with.
 *
 * A fetch never replaces good data when it failed, came back empty, is much smaller than the stored version,
 * or (airports) lacks coordinates: the stored file stays and the run reports why; a refused fetch is kept
 * aside under reference/rejected/ for a person to look at. With nothing stored either, the file is reported
 * 'missing' with the reason, for the caller to fail the run (gold cannot be built without it).
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { rawText } from '../bronze/csv.js';
import { fr24 } from '../fr24/library.js';
import { DEFAULT_RETRY, PauseGate, withRetries } from '../fr24/retry.js';
import {
  AIRLINES_COLUMNS,
  AIRPORTS_COLUMNS,
  csvLine,
  REFERENCE_KEY,
  referenceRejectedKey,
  referenceVersionKey,
  type ReferenceName,
} from '../../contracts/index.js';
import { objectMetadata } from '../s3.js';

/** A fetch with fewer rows than this share of the stored version is refused (FR24 answered part of the list). */
export const MIN_SHARE_OF_STORED = 0.5;
/** Airports with coordinates a fetch must have at least (gold's distances and continents need them). */
export const MIN_LOCATED_SHARE = 0.9;

export interface ReferenceFile {
  key: string;
  /** The version in use after this run (undefined: a stored file from before versions, or none). */
  version?: string;
  rows?: number;
  action: 'kept' | 'written' | 'missing';
  /** Why the fetch failed, when it did (the file is then 'missing', or 'kept' from an earlier run). */
  error?: string;
  /** A fetch the checks refused, kept aside at `key`. */
  rejected?: { key: string; reason: string };
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

interface Built {
  csv: string;
  rows: number;
  /** Rows with both coordinates (airports). */
  located?: number;
}

const text = (v: unknown) => (v === 'N/A' ? '' : rawText(v));
const located = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

export async function airportsCsv(api: InstanceType<typeof fr24.FlightRadar24API>): Promise<Built> {
  const airports = await api.getAirports();
  const lines = airports.map((a) => csvLine([a.iata, a.icao, a.name, a.latitude, a.longitude, a.altitude, a.country].map(text)));
  const withCoordinates = airports.filter((a) => located(a.latitude) && located(a.longitude)).length;
  return { csv: csvLine(AIRPORTS_COLUMNS) + lines.join(''), rows: lines.length, located: withCoordinates };
}

export async function airlinesCsv(api: InstanceType<typeof fr24.FlightRadar24API>): Promise<Built> {
  const airlines = await api.getAirlines();
  const lines = airlines.map((a) => csvLine([a.Name, a.IATA, a.ICAO].map(text)));
  return { csv: csvLine(AIRLINES_COLUMNS) + lines.join(''), rows: lines.length };
}

/** Why a fetch must not replace the stored version, or undefined when it may. */
export function refusal(what: ReferenceName, fetched: Built, storedRows: number | undefined): string | undefined {
  if (storedRows !== undefined && fetched.rows < MIN_SHARE_OF_STORED * storedRows) {
    return `${fetched.rows} ${what} where the stored version has ${storedRows} (less than ${MIN_SHARE_OF_STORED * 100} %)`;
  }
  if (fetched.located !== undefined && fetched.located < MIN_LOCATED_SHARE * fetched.rows) {
    return `${fetched.rows - fetched.located} of ${fetched.rows} ${what} without coordinates`;
  }
  return undefined;
}

/** The stored current file: its version and row count (counted when an older writer left no metadata). */
async function stored(client: S3Client, bucket: string, key: string): Promise<{ version?: string; rows: number } | undefined> {
  const metadata = await objectMetadata(client, bucket, key);
  if (!metadata) return undefined;
  const rows = Number(metadata.rows);
  if (Number.isInteger(rows)) return { version: metadata.version, rows };
  const body = await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  return { version: metadata.version, rows: Math.max(0, body.split('\n').filter((line) => line.trim() !== '').length - 1) };
}

const putCsv = (client: S3Client, bucket: string, key: string, csv: string, metadata: Record<string, string>) =>
  client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: csv, ContentType: 'text/csv; charset=utf-8', Metadata: metadata }));

/** Expects flightradarapi already pointed at the right hosts (see useFr24BaseUrl). */
export async function ensureReference(opts: {
  client: S3Client;
  bucket: string;
  refresh: boolean;
  /** The run's snapshot time: names the version a fetch is kept as. */
  fetchedFor: Date;
  timeoutMs: number;
  retries: number;
  logger?: Logger;
  signal?: AbortSignal;
}): Promise<ReferenceOutcome> {
  const api = new fr24.FlightRadar24API({ timeout: opts.timeoutMs });
  const gate = new PauseGate();
  const one = async (what: ReferenceName, build: () => Promise<Built>): Promise<ReferenceFile> => {
    const key = REFERENCE_KEY[what];
    const current = await stored(opts.client, opts.bucket, key);
    const keep = { key, version: current?.version, action: 'kept' as const };
    if (current && !opts.refresh) return keep;
    const outcome = await withRetries(async () => {
      const built = await build();
      if (built.rows === 0) throw new Error(`FR24 returned no ${what}`);
      return built;
    }, { ...DEFAULT_RETRY, retries: opts.retries }, gate, { signal: opts.signal });
    if (!outcome.value) {
      const why = outcome.error?.message ?? 'unknown error';
      if (current) {
        opts.logger?.warn(`${what} refresh failed (${why}); keeping the stored s3://${opts.bucket}/${key}`);
        return { ...keep, error: why };
      }
      return { key, action: 'missing', error: why };
    }
    const fetched = outcome.value;
    const reason = refusal(what, fetched, current?.rows);
    if (reason) {
      const aside = referenceRejectedKey(what, opts.fetchedFor);
      await putCsv(opts.client, opts.bucket, aside, fetched.csv, { rows: String(fetched.rows), reason });
      opts.logger?.warn(
        `${what} fetch refused: ${reason}; kept aside at s3://${opts.bucket}/${aside}` +
          (current ? `; the stored s3://${opts.bucket}/${key} stays in use` : ''),
      );
      const rejected = { key: aside, reason };
      return current ? { ...keep, rejected } : { key, action: 'missing', error: `fetch refused: ${reason}`, rejected };
    }
    const version = referenceVersionKey(what, opts.fetchedFor);
    const metadata = { rows: String(fetched.rows), version };
    await putCsv(opts.client, opts.bucket, version, fetched.csv, metadata);
    await putCsv(opts.client, opts.bucket, key, fetched.csv, metadata);
    opts.logger?.info(`${what}: ${fetched.rows} rows written to s3://${opts.bucket}/${version} (now current)`);
    return { key, version, rows: fetched.rows, action: 'written' };
  };
  const airports = await one('airports', () => airportsCsv(api));
  const airlines = await one('airlines', () => airlinesCsv(api));
  return { fetched: airports.action === 'written' || airlines.action === 'written', airports, airlines };
}

/** The version a reader should use now: the one the current file names, or the current file itself (unversioned). */
export async function currentReferenceKey(client: S3Client, bucket: string, what: ReferenceName): Promise<string> {
  const key = REFERENCE_KEY[what];
  const metadata = await objectMetadata(client, bucket, key);
  if (!metadata) throw new Error(`no ${what} reference data at s3://${bucket}/${key}: run extract first`);
  return metadata.version ?? key;
}
