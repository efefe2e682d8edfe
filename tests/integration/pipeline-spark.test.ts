/**
 * The pipeline's Spark session is kept from one run to the next (driver/pipeline-spark.ts), and replaced when the
 * server ended it between runs (its idle timeout, a restart): the next run gets a session that answers instead of
 * a failed stage attempt.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../driver/config.js';
import { PipelineSpark } from '../../driver/pipeline-spark.js';
import { SparkSession } from '../../spark/index.js';

const config = loadConfig();
const USER = 'pipeline-spark-test';
/** The settings' Connect URL with more parameters (its own, the token among them, kept). */
const withParams = (url: string, params: string) => (url.includes('/;') ? `${url}${params}` : `${url}/${params}`);
const spark = new PipelineSpark({ ...config.spark, connectUrl: withParams(config.spark.connectUrl, `;user_id=${USER}`) });
afterAll(() => spark.close());

const one = async (session: SparkSession) => (await session.sql('SELECT 1 AS one').collect())[0]?.one;

describe('the pipeline Spark session', () => {
  it('is the same session in the next run', async () => {
    spark.startRun();
    const first = await spark.get();
    expect(await one(first)).toBe(1);
    spark.startRun();
    const next = await spark.get();
    expect(next.sessionId).toBe(first.sessionId);
    expect(await one(next)).toBe(1);
  });

  it('is replaced at the next run when the server ended it in between', async () => {
    spark.startRun();
    const kept = await spark.get();
    // Another client with the same user and session id releases it: the server ends it, as its idle timeout would.
    const other = await SparkSession.connect(withParams(config.spark.connectUrl, `;user_id=${USER};session_id=${kept.sessionId}`));
    await other.stop();
    await expect(one(kept)).rejects.toThrow(/SESSION_CLOSED/);

    spark.startRun();
    const next = await spark.get();
    expect(next.sessionId).not.toBe(kept.sessionId);
    expect(await one(next)).toBe(1);
  });
});
