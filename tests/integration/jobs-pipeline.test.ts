/**
 * A simulated world goes bronze → silver → gold on the real cluster and MinIO, with exact row accounting,
 * every kind of bad record quarantined with its reason, and the enrichment checked against values
 * computed here in TypeScript; in both layouts of jobs/layout.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../driver/config.js';
import { SparkSession } from '../../spark/index.js';
import { QUESTIONS, runAnswer, runAnswersTable, runGold, runSilver, type GoldResult, type Layout, type SilverResult } from '../../jobs/index.js';
import { readStoredAnswers } from '../../driver/history.js';
import { bronzeKey } from '../../contracts/index.js';
import { goldPath, quarantinePath, silverPath } from '../../jobs/paths.js';
import { QUARANTINE_RULES, SILVER_SCHEMA_DDL } from '../../jobs/silver.js';
import { GOLD_SCHEMA_DDL } from '../../jobs/gold.js';
import { makeBronzeWorld, type BronzeWorld, type WorldFlight } from '../support/jobs-bronze-world.js';
import { COUNTRY_OF_AIRLINE, MANUFACTURER_OF_TYPE } from '../support/hand-checked.js';
import { readSeedGold } from '../support/jobs-seed-gold.js';
import { haversineKm } from '../support/jobs-haversine.js';
import { dropBucket, freshBucket, putText, putWorld, testS3 } from '../support/jobs-s3.js';
import { present } from '../support/present.js';

const snapshotTime = new Date('2026-03-01T10:20:30Z');
const s3 = testS3();

/** A schema DDL of jobs/ (`name TYPE, ...`) as Spark's dtypes name it. */
const dtypesOf = (ddl: string) => ddl.split(', ').map((field) => field.split(' ')).map(([name = '', type = '']) => [name, type.toLowerCase()]);

// The same world through both layouts (jobs/layout.ts): their plans differ, their outputs must not.
describe.each<Layout>(['one partition', 'spread'])('%s', (layout) => {
  let spark: SparkSession;
  let bucket: string;
  let world: BronzeWorld;
  let silver: SilverResult;
  let gold: GoldResult;

  beforeAll(async () => {
    bucket = await freshBucket(s3, 'jobs-pipeline-test');
    world = makeBronzeWorld(await readSeedGold(), { flights: 3000, snapshotTime, withDefects: true });
    await putWorld(s3, bucket, world, snapshotTime);
    const { spark: sparkConfig } = loadConfig();
    spark = await SparkSession.builder().remote(sparkConfig.connectUrl).getOrCreate();
    silver = await runSilver(spark, { bucket, snapshotTime, layout });
    gold = await runGold(spark, { bucket, snapshotTime, layout });
  });

  afterAll(async () => {
    await spark?.stop();
    if (bucket) await dropBucket(s3, bucket);
  });

  describe('silver', () => {
    it('accounts for every bronze row: silver + quarantined + duplicates removed', () => {
      expect(silver.bronzeRows).toBe(world.bronzeRows);
      expect(silver.silverRows).toBe(world.silver.size);
      expect(silver.quarantinedRows).toBe(world.quarantined.length);
      expect(silver.duplicatesRemoved).toBe(world.duplicatesRemoved);
      expect(silver.bronzeRows).toBe(silver.silverRows + silver.quarantinedRows + silver.duplicatesRemoved);
      expect(silver.silverPath).toBe(silverPath(bucket, snapshotTime));
    });

    it('keeps the newest record of each id, typed, with time as a UTC timestamp and exact quoting', async () => {
      const rows = await spark.read.parquet(silver.silverPath).collect();
      expect(rows).toHaveLength(world.silver.size);
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      for (const row of rows) {
        const expected = world.silver.get(String(row.id))!;
        expect(expected, String(row.id)).toBeDefined();
        expect(row.latitude).toBe(expected.latitude);
        expect(row.longitude).toBe(expected.longitude);
        expect(new Date(row.time as Date).getTime()).toBe(expected.time * 1000);
        expect(row.callsign).toBe(expected.callsign);
        expect(row.registration).toBe(expected.registration);
      }
      const schema = Object.fromEntries((await spark.read.parquet(silver.silverPath).dtypes()).map(([n, t]) => [n, t]));
      expect(schema).toMatchObject({ latitude: 'double', longitude: 'double', time: 'timestamp', altitude: 'int', on_ground: 'boolean' });
      // The schema gold's reader is given instead of reading the footer.
      expect(await spark.read.parquet(silver.silverPath).dtypes()).toEqual(dtypesOf(SILVER_SCHEMA_DDL));
    });

    it('refuses a bronze file whose header is not the extractor\'s, naming the expected header', async () => {
      const other = new Date('2026-03-01T11:00:00Z');
      const [header = '', ...lines] = world.bronzeCsv.split('\r\n');
      const swapped = header.replace('latitude,longitude', 'longitude,latitude');
      await putText(s3, bucket, bronzeKey(other), [swapped, ...lines.slice(0, 5)].join('\r\n') + '\r\n');
      await expect(runSilver(spark, { bucket, snapshotTime: other })).rejects.toThrow(/header must be exactly: id,icao_24bit,latitude,longitude/);
    });

    it('quarantines each kind of bad record with every reason it has, in the order of the rules', async () => {
      const rows = await spark.read.parquet(quarantinePath(bucket, snapshotTime)).select('id', 'reason').collect();
      const byIdAndReason = (a: { id: string; reason: string }, b: { id: string; reason: string }) =>
        a.id.localeCompare(b.id) || a.reason.localeCompare(b.reason);
      const got = rows.map((r) => ({ id: (r.id as string | null) ?? '', reason: r.reason as string })).sort(byIdAndReason);
      expect(got).toEqual([...world.quarantined].sort(byIdAndReason));
      // The test world breaks every rule at least once.
      const reasons = new Set(world.quarantined.flatMap((q) => q.reason.split('; ')));
      expect([...reasons].sort()).toEqual(QUARANTINE_RULES.map(([reason]) => reason).sort());
    });
  });

  describe('gold', () => {
    it('keeps every silver flight and counts the unknown references', () => {
      expect(gold.silverRows).toBe(silver.silverRows);
      expect(gold.goldRows).toBe(silver.silverRows);
      expect(gold.unknownOriginAirport).toBe(world.unknownOriginAirport);
      expect(gold.missingOriginAirport).toBe(world.missingOriginAirport);
      expect(gold.unknownAirline).toBe(world.unknownAirline);
      expect(gold.unknownManufacturer).toBe([...world.silver.values()].filter((f) => !(f.aircraft_code in MANUFACTURER_OF_TYPE)).length);
      expect(gold.goldPath).toBe(goldPath(bucket, snapshotTime));
    });

    it('joins airports and airlines and adds continents, haversine distance, manufacturer and airline country', async () => {
      const rows = await spark.read.parquet(gold.goldPath).collect();
      expect(rows).toHaveLength(world.silver.size);
      // Oracles from outside jobs/reference: continents as the seed gold gives them, hand-checked manufacturers
      // and airline countries, and for an airline in no list the country its flights leave from (here, one flight).
      const countryOfAirline = (f: WorldFlight) =>
        COUNTRY_OF_AIRLINE[f.airline_icao] ?? (f.airline_icao ? world.airports.get(f.origin)?.country : undefined);
      let withDistance = 0;
      for (const row of rows) {
        const f = present(world.silver.get(String(row.id)), `world flight ${String(row.id)}`);
        const o = world.airports.get(f.origin);
        const d = world.airports.get(f.destination);
        expect(row.origin_airport_name ?? undefined).toBe(o?.name);
        expect(row.destination_country ?? undefined).toBe(d?.country);
        expect(row.origin_continent, `${f.origin} (${o?.country})`).toBe(o?.continent ?? 'Unknown');
        expect(row.destination_continent, `${f.destination} (${d?.country})`).toBe(d?.continent ?? 'Unknown');
        expect(row.airline_name ?? undefined).toBe(world.airlines.get(f.airline_icao));
        expect(row.aircraft_manufacturer, f.aircraft_code).toBe(MANUFACTURER_OF_TYPE[f.aircraft_code] ?? 'Unknown');
        expect(row.airline_country ?? undefined, f.airline_icao).toBe(countryOfAirline(f));
        if (o && d) {
          withDistance++;
          expect(Math.abs((row.distance as number) - haversineKm(o.latitude, o.longitude, d.latitude, d.longitude))).toBeLessThan(0.1);
        } else {
          expect(row.distance).toBeNull();
        }
      }
      expect(gold.flightsWithDistance).toBe(withDistance);
    });

    it('keeps the column names of the seed gold and adds the new ones', async () => {
      const seedColumns = Object.keys(present((await readSeedGold())[0], 'a seed flight'));
      const columns = await spark.read.parquet(gold.goldPath).columns();
      expect(columns.slice(0, seedColumns.length)).toEqual(seedColumns);
      expect(columns).toEqual(expect.arrayContaining(['aircraft_manufacturer', 'airline_country']));
      // The schema the answers table's reader is given instead of reading the footer.
      expect(await spark.read.parquet(gold.goldPath).dtypes()).toEqual(dtypesOf(GOLD_SCHEMA_DDL));
    });
  });

  describe('the answers table written after gold', () => {
    it('holds, per question, exactly the rows computed from gold (same order, ties included)', async () => {
      await runAnswersTable(spark, { bucket, snapshotTime, layout, goldJustWritten: true });
      const stored = await readStoredAnswers(s3, bucket, snapshotTime);
      expect(stored).toBeDefined();
      for (const question of QUESTIONS) {
        const fromGold = await runAnswer(spark, question, goldPath(bucket, snapshotTime));
        expect(fromGold.length, question.name).toBeGreaterThan(0);
        expect(stored!.get(question.name), question.name).toEqual(fromGold);
      }
    });
  });
});
