/**
 * Wall time of silver, gold and question=all for a simulated snapshot on the running stack (not a test):
 *   node --import tsx tests/support/jobs-measure.ts [flights=20000] [repeat=3]
 * Uses a bucket of its own; prints one JSON line per repetition (the first one warms the cluster).
 */
import { loadConfig } from '../../driver/config.js';
import { SparkSession } from '../../spark/index.js';
import { answer, openGold, QUESTIONS, runGold, runSilver } from '../../jobs/index.js';
import { makeBronzeWorld } from './jobs-bronze-world.js';
import { readSeedGold } from './jobs-seed-gold.js';
import { dropBucket, freshBucket, putWorld, testS3 } from './jobs-s3.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const flights = Number(args.flights ?? 20000);
const repeat = Number(args.repeat ?? 3);
const s3 = testS3();
const bucket = await freshBucket(s3, 'jobs-measure');
const seed = await readSeedGold();
const spark = await SparkSession.builder().remote(loadConfig().spark.connectUrl).getOrCreate();
const seconds = (t0: number) => Math.round((performance.now() - t0) / 10) / 100;
try {
  for (let i = 0; i < repeat; i++) {
    const snapshotTime = new Date(Date.UTC(2026, 0, 1, 10, 0, i));
    const world = makeBronzeWorld(seed, { flights, snapshotTime, seed: i + 1, withDefects: true });
    await putWorld(s3, bucket, world, snapshotTime);
    let t0 = performance.now();
    const silver = await runSilver(spark, { bucket, snapshotTime });
    const silverS = seconds(t0);
    t0 = performance.now();
    const gold = await runGold(spark, { bucket, snapshotTime });
    const goldS = seconds(t0);
    t0 = performance.now();
    // As `make run-answers question=all` does it: opened (and cached) once, then every question.
    const opened = await openGold(spark, gold.goldPath, { cache: true });
    for (const q of QUESTIONS) await answer(q, opened.gold);
    await opened.close();
    const answersS = seconds(t0);
    console.log(JSON.stringify({ run: i + 1, flights, bronzeRows: silver.bronzeRows, silverRows: silver.silverRows, goldRows: gold.goldRows, silverS, goldS, answersAllS: answersS }));
  }
} finally {
  await spark.stop();
  await dropBucket(s3, bucket);
}
