/**
 * The row accounting is gathered while silver and gold are written (observed metrics, no pass of its own). These
 * tests lose rows on purpose — a silver, quarantine or gold plan that drops some — and expect the stage to fail
 * with a RowAccountingError, on the real cluster and MinIO, in both layouts. The honest run beside them must pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../driver/config.js';
import { deletePrefix } from '../../driver/s3.js';
import { F, SparkSession } from '../../spark/index.js';
import { quarantinedFlights, silverFlights } from '../../jobs/silver.js';
import { goldFlights } from '../../jobs/gold.js';
import { RowAccountingError, runGold, runSilver, type Layout } from '../../jobs/index.js';
import { makeBronzeWorld, type BronzeWorld } from '../support/jobs-bronze-world.js';
import { readSeedGold } from '../support/jobs-seed-gold.js';
import { freshBucket, putWorld, testS3 } from '../support/jobs-s3.js';

const snapshotTime = new Date('2026-04-02T08:00:00Z');
const s3 = testS3();
let spark: SparkSession;
let bucket: string;
let world: BronzeWorld;
/** Loses the rows whose id ends in 7 (about one in sixteen: hexadecimal ids). */
const lossy = F.expr(`NOT coalesce(endswith(id, '7'), false)`);

beforeAll(async () => {
  bucket = await freshBucket(s3, 'row-accounting-test');
  world = makeBronzeWorld(await readSeedGold(), { flights: 600, snapshotTime, withDefects: true });
  await putWorld(s3, bucket, world, snapshotTime);
  spark = await SparkSession.builder().remote(loadConfig().spark.connectUrl).getOrCreate();
});

afterAll(async () => {
  await spark?.stop();
  if (bucket) await deletePrefix(s3, bucket, '');
});

// Both layouts (jobs/layout.ts): their plans differ (one partition: no shuffle, a window for the airline-country
// fallback; spread: shuffles and broadcast joins), and each must catch a loss.
describe.each<Layout>(['one partition', 'spread'])('row accounting observed while writing (%s)', (layout) => {
  const options = () => ({ bucket, snapshotTime, layout });

  it('an honest run reconciles: bronze = silver + quarantined + duplicates, gold = silver', async () => {
    const silver = await runSilver(spark, options());
    expect(silver.bronzeRows).toBe(world.bronzeRows);
    expect(silver.silverRows).toBe(world.silver.size);
    expect(silver.quarantinedRows).toBe(world.quarantined.length);
    expect(silver.duplicatesRemoved).toBe(world.duplicatesRemoved);
    const gold = await runGold(spark, options());
    expect(gold.silverRows).toBe(world.silver.size);
    expect(gold.goldRows).toBe(world.silver.size);
  });

  it('silver fails when the silver write loses rows', async () => {
    const plans = { silverFlights: (c: Parameters<typeof silverFlights>[0]) => silverFlights(c).filter(lossy), quarantinedFlights };
    await expect(runSilver(spark, options(), plans)).rejects.toThrow(RowAccountingError);
  });

  it('silver fails when the quarantine write loses rows', async () => {
    const plans = { silverFlights, quarantinedFlights: (c: Parameters<typeof quarantinedFlights>[0]) => quarantinedFlights(c).limit(1) };
    expect(world.quarantined.length).toBeGreaterThan(1);
    await expect(runSilver(spark, options(), plans)).rejects.toThrow(/quarantined \d+ \(written 1\)/);
  });

  it('gold fails when the gold write loses rows, and when it duplicates some', async () => {
    await runSilver(spark, options());
    const dropping = { goldFlights: (...args: Parameters<typeof goldFlights>) => goldFlights(...args).filter(lossy) };
    await expect(runGold(spark, options(), dropping)).rejects.toThrow(RowAccountingError);
    const doubling = { goldFlights: (...args: Parameters<typeof goldFlights>) => goldFlights(...args).unionByName(goldFlights(...args).limit(3)) };
    await expect(runGold(spark, options(), doubling)).rejects.toThrow(/gold rows written for \d+ silver rows read/);
  });
});
