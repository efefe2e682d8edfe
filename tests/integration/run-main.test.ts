import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../driver/config.js';
import { acquirePipelineLock } from '../../driver/lock.js';
import type { RunManifest } from '../../driver/manifest.js';
import { s3Client } from '../../extract/s3.js';
import { startFr24Sim, type Fr24Sim } from '../../extract/index.js';
import { goldKey, silverKey } from '../../contracts/index.js';
import { cli as runCli, manifestOfLog, startCli, type CliRun } from '../support/cli.js';

// The product as a user runs it: the CLI, one cycle against the FR24-compatible server, on the real stack.
const config = loadConfig();
const s3 = s3Client(config.minio);
const bucket = config.minio.bucket;
let sim: Fr24Sim;

/** The product's CLI, pointed at this file's FR24-compatible server. */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { FR24_BASE_URL: sim.url, STAGE_RETRIES: '1', ...env });

/** The manifest of the run a command's log names. */
const manifestOf = (run: Pick<CliRun, 'stderr'>) => manifestOfLog(s3, bucket, run.stderr);

async function exists(key: string): Promise<boolean> {
  return s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);
}

function expectConsistent(m: RunManifest): void {
  const { extract, silver, gold } = m.stages;
  expect(m.status).toBe('succeeded');
  expect(silver.rowsIn).toBe(extract.rowsOut);
  expect(silver.rowsIn).toBe(silver.rowsOut! + silver.quarantinedRows! + silver.duplicatesRemoved!);
  expect(gold.rowsIn).toBe(silver.rowsOut);
  expect(gold.rowsOut).toBe(silver.rowsOut);
}

beforeAll(async () => {
  // A few broken flight arrays in the feed: they must reach bronze and be quarantined, not fail the run.
  sim = await startFr24Sim({ flights: 5000, seed: 11, faults: [{ kind: 'malformed', firstN: 2 }] });
});
afterAll(() => sim?.close());

describe('make run-main once=1', () => {
  it('runs extract, silver and gold, writes a consistent manifest, and the answers read the snapshot', async () => {
    const run = await cli(['run-main', 'once=1']);
    expect(run.code, run.stderr).toBe(0);
    const manifest = await manifestOf(run);
    expectConsistent(manifest);
    expect(manifest.stages.extract.rowsOut).toBeGreaterThanOrEqual(sim.world.flights.length * 0.95);
    expect(manifest.stages.silver.quarantinedRows).toBeGreaterThan(0);
    const t = new Date(manifest.snapshotTime);
    expect(await exists(`${silverKey(t)}_SUCCESS`)).toBe(true);
    expect(await exists(`${goldKey(t)}_SUCCESS`)).toBe(true);
    // Every log line of the run carries its id and stage.
    expect(run.stderr).toMatch(new RegExp(`\\[${manifest.runId} silver\\]`));

    const answer = await cli(['run-answers', 'question=top-airline', 'format=json', `at=${manifest.snapshotTime.slice(0, 13)}`]);
    expect(answer.code, answer.stderr).toBe(0);
    const json = JSON.parse(answer.stdout.trim().split('\n')[0]!);
    expect(json.question).toBe('top-airline');
    expect(json.rows.length).toBeGreaterThan(0);

    const status = await cli(['status']);
    expect(status.stdout).toContain(manifest.runId);
  });

  it('two runs started together never overlap: the second waits, and both data sets are consistent', async () => {
    const [a, b] = await Promise.all([cli(['run-main', 'once=1']), cli(['run-main', 'once=1'])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(`${a.stderr}${b.stderr}`).toMatch(/waiting for run/);
    const [ma, mb] = [await manifestOf(a), await manifestOf(b)];
    expect(ma.snapshotTime).not.toBe(mb.snapshotTime);
    expectConsistent(ma);
    expectConsistent(mb);
    // No overlap: one run ended before the other started its extract.
    const [first, second] = [ma, mb].sort((x, y) => x.startedAt.localeCompare(y.startedAt));
    expect(Date.parse(second!.stages.extract.startedAt!)).toBeGreaterThanOrEqual(Date.parse(first!.endedAt!));
  });

  it('refuses bad arguments with a clear message and a non-zero exit', async () => {
    const bad = await cli(['run-main', 'once=1', 'source=nowhere']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('source must be fr24 or sim');
    const badConfig = await cli(['run-main', 'once=1'], { MINIO_ENDPOINT: 'not-a-url', FR24_REQUEST_CAP: '-1' });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('MINIO_ENDPOINT');
    expect(badConfig.stderr).toContain('FR24_REQUEST_CAP');
  });
});

describe('make run-main on a schedule', () => {
  const start = (env: Record<string, string>) => startCli(['run-main'], { FR24_BASE_URL: sim.url, STAGE_RETRIES: '1', ...env });

  it('runs now and again on every tick, and SIGTERM between runs stops it cleanly', async () => {
    // Once a minute, 40 s from now: the run at start is over by then, and the signal after the scheduled
    // run lands well before the next tick, so it finds no run going.
    const second = (new Date().getSeconds() + 40) % 60;
    const run = start({ SCHEDULE_CRON: `${second} * * * * *` });
    await run.waitFor(/run succeeded/, 2);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.log()).toContain('SIGTERM received');
    expect(run.log()).toMatch(/scheduled: next run at/);
  });

  it('SIGTERM during a scheduled run waits for its stage to be interrupted and cleaned, then exits 130 and frees the lock', async () => {
    const run = start({ SCHEDULE_CRON: '*/5 * * * * *' });
    await run.waitFor(/run succeeded/); // the run at start
    await run.waitFor(/silver\] started/, 2); // the first scheduled run is in silver
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(130);
    const scheduledRunLog = run.log().slice(run.log().lastIndexOf('run started'));
    const manifest = await manifestOf({ stderr: scheduledRunLog });
    expect(manifest.status).toBe('interrupted');
    expect(manifest.stages.silver.status).toBe('interrupted');
    expect(await exists(`${silverKey(new Date(manifest.snapshotTime))}_SUCCESS`)).toBe(false);
    // Free: another process takes it at once.
    (await acquirePipelineLock(join(config.stackHome, 'run', 'pipeline.lock'), 'run_test', { waitMs: 0 }))();
  });

  it('SIGTERM during silver interrupts the Spark query: the run is marked interrupted and leaves no silver output', async () => {
    const run = start({ SCHEDULE_CRON: '0 0 1 1 *' });
    await run.waitFor(/silver\] started/);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(130);
    const manifest = await manifestOf({ stderr: run.log() });
    expect(manifest.status).toBe('interrupted');
    expect(manifest.stages.silver.status).toBe('interrupted');
    expect(manifest.stages.gold.status).toBe('skipped');
    expect(await exists(`${silverKey(new Date(manifest.snapshotTime))}_SUCCESS`)).toBe(false);
  });

  it('a second SIGTERM exits at once, without waiting for the clean-up; the lock is free', async () => {
    const run = start({ SCHEDULE_CRON: '0 0 1 1 *' });
    await run.waitFor(/silver\] started/);
    run.child.kill('SIGTERM');
    // The second signal follows at once: waiting for the first one's log line can come after its whole
    // clean-up on a quiet machine, and then nothing is left for the second signal to cut short.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = Date.now();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(130);
    const exitMs = Date.now() - second;
    expect(run.log()).toMatch(/SIGTERM received[\s\S]*received again: exiting now/);
    expect(exitMs).toBeLessThan(5_000);
    (await acquirePipelineLock(join(config.stackHome, 'run', 'pipeline.lock'), 'run_test', { waitMs: 0 }))();
    console.info(`second SIGTERM → exited in ${exitMs} ms`);
  });
});
