/**
 * The extractor end to end against the FR24-compatible server and the real MinIO: bronze CSV at the docs/SPEC.md §2
 * path with every record as received, reference data fetched once and never overwritten by a bad fetch,
 * partial snapshots, multipart uploads. Uses its own bucket, so the pipeline's reference data is untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { BRONZE_COLUMNS, bronzeKey } from '../../contracts/index.js';
import { extractSnapshot, startFr24Sim, writeSyntheticBronze, type ExtractResult, type Fr24Sim } from '../../extract/index.js';
import { parseCsv } from '../support/csv.js';
import { loadConfig } from '../../driver/config.js';
import { grantBucket } from '../../driver/store-access.js';
import { s3Client, type S3Settings } from '../../extract/s3.js';
import { dropBucket } from '../support/jobs-s3.js';

const s3: S3Settings = { ...loadConfig().minio, bucket: `extract-test-${process.pid}-${Date.now() % 100000}` };
const client = s3Client(s3);
/** One extraction from the simulator into `target`; `retries: 1` makes an injected fault final at once. */
const extractFromSim = (
  snapshotTime: Date,
  options: { target?: S3Settings; retries?: number; refreshReference?: boolean; deadlineMs?: number } = {},
) =>
  extractSnapshot({
    fr24: {
      baseUrl: sim.url, requestCap: 1500, concurrency: 4, requestTimeoutMs: 5000, retries: options.retries ?? 3, minCellDeg: 0.25,
      bounds: { requestBudget: 1000, deadlineMs: options.deadlineMs ?? 120_000 }, minShareOfMedian: 0.3,
    },
    s3: options.target ?? s3,
    snapshotTime,
    refreshReference: options.refreshReference,
    backoff: { baseDelayMs: 5 },
  });


const asText = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const FEED_FIELD: Record<string, number> = {
  icao_24bit: 0, latitude: 1, longitude: 2, heading: 3, altitude: 4, ground_speed: 5, squawk: 6, radar: 7, aircraft_code: 8,
  registration: 9, time: 10, origin_airport_iata: 11, destination_airport_iata: 12, number: 13, on_ground: 14,
  vertical_speed: 15, callsign: 16, airline_icao: 18,
};

async function read(key: string): Promise<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return out.Body!.transformToString('utf-8');
}

let sim: Fr24Sim;
let first: ExtractResult;
const t1 = new Date('2026-11-25T07:00:00Z');

beforeAll(async () => {
  expect(s3.accessKey, 'MINIO_ACCESS_KEY must be set (global setup exports the stack settings)').not.toBe('');
  await grantBucket({ ...loadConfig().settings, MINIO_BUCKET: s3.bucket });
  sim = await startFr24Sim({ seed: 1 });
  first = await extractFromSim(t1);
});

afterAll(async () => {
  await sim?.close();
  await dropBucket(client, s3.bucket);
});

describe('extractSnapshot into MinIO', () => {
  it('writes one bronze CSV at the docs/SPEC.md §2 path with every flight of the world but the truncated remainder', async () => {
    expect(first.bronzeKey).toBe('bronze/flights/year=2026/month=11/day=25/hour=07/flights_20261125070000.csv');
    expect(first.bronzeKey).toBe(bronzeKey(t1));
    const rows = parseCsv(await read(first.bronzeKey));
    expect(rows[0]).toEqual([...BRONZE_COLUMNS]);
    const data = rows.slice(1);
    expect(data.length).toBe(first.flights);
    const ids = data.map((r) => r[0]!);
    expect(new Set(ids).size).toBe(ids.length);

    const world = sim.world.flights;
    expect(first.truncatedCells.length).toBe(1);
    const cell = first.truncatedCells[0]!;
    const inCell = world.filter((f) => f.lat >= cell.south && f.lat <= cell.north && f.lon >= cell.west && f.lon <= cell.east);
    expect(data.length).toBe(world.length - (inCell.length - 1500));
    expect(first.partial).toBe(false);
    expect(first.failedCells).toEqual([]);
    expect(first.requests).toBe(sim.requestCounts().feed);
    expect(data.every((r) => r[BRONZE_COLUMNS.indexOf('snapshot_time')] === '2026-11-25T07:00:00Z')).toBe(true);
  });

  it('keeps every record as received, malformed ones included', async () => {
    const rows = parseCsv(await read(first.bronzeKey)).slice(1);
    const byId = new Map(rows.map((r) => [r[0]!, r]));
    const malformed = sim.world.flights.filter((f) => f.kind === 'malformed');
    expect(malformed.length).toBeGreaterThan(10);
    for (const flight of [...malformed, ...sim.world.flights.slice(0, 200)]) {
      const row = byId.get(flight.id);
      expect(row, `flight ${flight.id} in bronze`).toBeDefined();
      for (const [column, index] of Object.entries(FEED_FIELD)) {
        expect(row![BRONZE_COLUMNS.indexOf(column as (typeof BRONZE_COLUMNS)[number])], `${flight.id}.${column}`).toBe(asText(flight.record[index]));
      }
    }
  });

  it('fetches the reference data on the first run and stores it as CSV', async () => {
    expect(first.referenceFetched).toBe(true);
    const airports = parseCsv(await read('reference/airports.csv'));
    expect(airports[0]).toEqual(['iata', 'icao', 'name', 'latitude', 'longitude', 'altitude', 'country']);
    expect(airports.length - 1).toBe(sim.world.airports.length);
    const icn = airports.find((r) => r[0] === 'ICN')!;
    expect(icn[1]).toBe('RKSI');
    expect(icn[6]).toBe('South Korea');
    expect(Number(icn[3])).toBeCloseTo(37.46, 1);
    const airlines = parseCsv(await read('reference/airlines.csv'));
    expect(airlines[0]).toEqual(['name', 'iata', 'icao']);
    expect(airlines.slice(1)).toContainEqual(['Korean Air', 'KE', 'KAL']);
    expect(airlines.length - 1).toBe(sim.world.airlines.length);
  });

  it('reuses the stored reference data on later runs', async () => {
    sim.resetCounts();
    const second = await extractFromSim(new Date('2026-11-25T08:00:00Z'));
    expect(second.referenceFetched).toBe(false);
    expect(second.reference).toEqual({ airports: 'kept', airlines: 'kept' });
    expect(sim.requestCounts()).toMatchObject({ airports: 0, airlines: 0 });
  });

  it('never overwrites good reference data with a failed or empty fetch, even when asked to refresh', async () => {
    const before = [await read('reference/airports.csv'), await read('reference/airlines.csv')];
    sim.setFaults([
      { kind: 'empty', endpoints: ['airports'] },
      { kind: 'server-error', endpoints: ['airlines'] },
    ]);
    try {
      const run = await extractFromSim(new Date('2026-11-25T09:00:00Z'), { retries: 1, refreshReference: true });
      expect(run.reference).toEqual({ airports: 'kept', airlines: 'kept' });
      expect(run.referenceFetched).toBe(false);
    } finally {
      sim.setFaults([]);
    }
    expect([await read('reference/airports.csv'), await read('reference/airlines.csv')]).toEqual(before);
    const refreshed = await extractFromSim(new Date('2026-11-25T10:00:00Z'), { refreshReference: true });
    expect(refreshed.reference).toEqual({ airports: 'written', airlines: 'written' });
  });

  it('stops at the extract deadline, saying so, and leaves no bronze', async () => {
    sim.setLatency(1500);
    try {
      const snapshotTime = new Date('2026-11-25T12:30:00Z');
      const started = Date.now();
      const error = await extractFromSim(snapshotTime, { deadlineMs: 500 }).catch((e: unknown) => e);
      expect((error as Error).message).toBe('extract deadline of 1 s passed (FR24_EXTRACT_DEADLINE_MS); nothing is published');
      expect(Date.now() - started).toBeLessThan(10_000);
      await expect(read(bronzeKey(snapshotTime))).rejects.toThrow();
    } finally {
      sim.setLatency(0);
    }
  });

  it('marks the snapshot partial and names the cell when a cell keeps failing, and still writes bronze', async () => {
    sim.setFaults([{ kind: 'server-error', skip: 1, near: { lat: 35.5494, lon: 139.7798 } }]); // every box holding Tokyo Haneda
    try {
      const run = await extractFromSim(new Date('2026-11-25T11:00:00Z'), { retries: 1 });
      expect(run.partial).toBe(true);
      expect(run.failedCells).toHaveLength(1);
      expect(run.failedCells[0]!.label).toMatch(/^\[.+\]$/);
      const rows = parseCsv(await read(run.bronzeKey)).slice(1);
      expect(rows.length).toBe(run.flights);
      expect(run.flights).toBeGreaterThan(10_000);
    } finally {
      sim.setFaults([]);
    }
  });

  it('streams large bronze as a multipart upload (synthetic bronze for benchmarks)', async () => {
    const key = 'bronze/synthetic/flights_120k.csv';
    const out = await writeSyntheticBronze(120_000, 3, s3, key);
    const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    expect(head.ContentLength).toBe(out.bytes);
    expect(out.bytes).toBeGreaterThan(8 * 1024 * 1024);
    expect(head.ETag).toMatch(/-\d+"?$/); // multipart ETags end in -<parts>
    const rows = parseCsv(await read(key));
    expect(rows[0]).toEqual([...BRONZE_COLUMNS]);
    expect(rows.length - 1).toBe(out.rows);
    expect(out.rows).toBeGreaterThanOrEqual(120_000);
  });
});

describe('extractSnapshot on a first run whose reference fetch fails (nothing stored yet)', () => {
  const fresh = { ...s3, bucket: `${s3.bucket}-noref` };
  beforeAll(() => grantBucket({ ...loadConfig().settings, MINIO_BUCKET: fresh.bucket }));
  afterAll(() => dropBucket(client, fresh.bucket));

  it('fails naming each missing reference file and why, and the retry that can fetch them succeeds', async () => {
    sim.setFaults([
      { kind: 'empty', endpoints: ['airports'] },
      { kind: 'server-error', endpoints: ['airlines'] },
    ]);
    let error: unknown;
    try {
      error = await extractFromSim(new Date('2026-11-25T13:00:00Z'), { target: fresh, retries: 1 })
        .then(() => undefined, (e: unknown) => e);
    } finally {
      sim.setFaults([]);
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ExtractError');
    const message = (error as Error).message;
    expect(message).toContain(`airports (s3://${fresh.bucket}/reference/airports.csv): FR24 returned no airports`);
    expect(message).toMatch(new RegExp(`airlines \\(s3://${fresh.bucket}/reference/airlines\\.csv\\): .*(50\\d|520)`));

    const retried = await extractFromSim(new Date('2026-11-25T13:00:00Z'), { target: fresh });
    expect(retried.reference).toEqual({ airports: 'written', airlines: 'written' });
  });

  it('names only the file that is missing when the other one is stored', async () => {
    await client.send(new DeleteObjectsCommand({ Bucket: fresh.bucket, Delete: { Objects: [{ Key: 'reference/airlines.csv' }] } }));
    sim.setFaults([{ kind: 'server-error', endpoints: ['airlines'] }]);
    let error: unknown;
    try {
      error = await extractFromSim(new Date('2026-11-25T14:00:00Z'), { target: fresh, retries: 1 })
        .then(() => undefined, (e: unknown) => e);
    } finally {
      sim.setFaults([]);
    }
    expect((error as Error | undefined)?.message).toMatch(/^reference data missing and could not be fetched from http:\/\/127\.0\.0\.1:\d+: airlines \(/);
    expect((error as Error).message).not.toContain('airports (');
  });
});

describe('extractSnapshot when MinIO refuses the upload', () => {
  it('fails with the bucket and key named instead of hanging, small or large', async () => {
    const missing = { ...s3, bucket: `${s3.bucket}-missing` };
    const started = Date.now();
    await expect(extractFromSim(new Date('2026-11-25T12:00:00Z'), { target: missing }))
      .rejects.toThrow(new RegExp(`bucket s3://${missing.bucket} at ${s3.endpoint} (does not exist|is not granted to these credentials)`));
    // The pipeline's user is scoped to its buckets: for any other, MinIO answers AccessDenied, existing or not.
    await expect(writeSyntheticBronze(150_000, 1, missing, 'x.csv')).rejects.toThrow(new RegExp(`upload of s3://${missing.bucket}/x.csv failed: .*(does not exist|NoSuchBucket|Access Denied|AccessDenied)`));
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
