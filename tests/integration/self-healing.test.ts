/**
 * A dead daemon never stalls the schedule (the real local stack, real processes killed): a stage left without a
 * worker fails at its deadline naming what is missing, and a worker killed between scheduled cycles is restarted
 * before the next one, which succeeds. Each test leaves the stack as global-setup made it (scale=2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../driver/config.js';
import { s3Client } from '../../extract/s3.js';
import { startFr24Sim, type Fr24Sim } from '../../extract/index.js';
import { silverKey } from '../../contracts/index.js';
import { manifestOfLog, startCli } from '../support/cli.js';
import { masterState, skipUnlessLocalStack, stackCommand, stackPid } from '../support/stack.js';

const config = loadConfig();
const s3 = s3Client(config.minio);
const bucket = config.minio.bucket;
const workerUi = `http://127.0.0.1:${config.spark.masterWebUiPort}/json/`;
let sim: Fr24Sim;

const pidOf = stackPid;
/** Kills every worker of the stack and the executors they started (each worker leads its process group). */
function killWorkers(): void {
  for (const id of [1, 2]) process.kill(-pidOf(`worker-${id}`), 'SIGKILL');
}
const aliveWorkers = async () => (await masterState(workerUi)).workers.filter((w) => w.state === 'ALIVE').length;

// The faults are real processes of the local stack killed by their pid files: on another kind, skipped, saying so.
describe.skipIf(skipUnlessLocalStack('tests/integration/self-healing.test.ts'))('a dead daemon never stalls the schedule', () => {
  beforeAll(async () => {
    sim = await startFr24Sim({ flights: 800, seed: 23 });
  });
  afterAll(async () => {
    await sim?.close();
    await stackCommand('up', '2');
  });

  it('a stage whose workers are all gone fails at its deadline, naming the missing worker, and leaves no output', async () => {
    const deadlineMs = 45_000;
    const run = startCli(['run-main', 'once=1', 'scale=2'], { FR24_BASE_URL: sim.url, STAGE_RETRIES: '0', STAGE_DEADLINE_MS: String(deadlineMs) });
    await run.waitFor(/silver\] started/);
    killWorkers();
    const killed = Date.now();
    expect(await run.exited).toBe(1);
    const surfacedMs = Date.now() - killed;
    const manifest = await manifestOfLog(s3, bucket, run.log());
    expect(manifest.status).toBe('failed');
    expect(manifest.stages.silver.status).toBe('failed');
    expect(manifest.errors[0]).toMatch(/silver passed its deadline of 45 s \(STAGE_DEADLINE_MS\).*no ALIVE worker at the Spark master/);
    const silverSuccess = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${silverKey(new Date(manifest.snapshotTime))}_SUCCESS` })).then(
      () => true,
      () => false,
    );
    expect(silverSuccess).toBe(false);
    // The deadline counts from silver's start; the run also cleans up and writes its manifest after it.
    expect(surfacedMs).toBeLessThan(deadlineMs + 60_000);
    console.info(`all workers killed in silver → run failed at its deadline, ${(surfacedMs / 1000).toFixed(1)} s after the kill`);
  }, 600_000);

  it('with the schedule running, workers killed between cycles are restarted and the next cycle succeeds', async () => {
    // The previous test left no worker: the cycle at start heals the stack first.
    const second = (new Date().getSeconds() + 30) % 60;
    const run = startCli(['run-main', 'scale=2'], { FR24_BASE_URL: sim.url, STAGE_RETRIES: '1', SCHEDULE_CRON: `${second} * * * * *` });
    try {
      await run.waitFor(/run succeeded/);
      expect(run.log()).toMatch(/stack unhealthy before the run: .*no ALIVE worker/);
      expect(await aliveWorkers()).toBe(2);

      killWorkers();
      const killed = Date.now();
      await run.waitFor(/run succeeded/, 2);
      const recoveredMs = Date.now() - killed;
      const scheduled = run.log().slice(run.log().lastIndexOf('stack unhealthy before the run'));
      expect(scheduled).toMatch(/stack restarted in \d+ ms/);
      expect((await manifestOfLog(s3, bucket, scheduled)).status).toBe('succeeded');
      expect(await aliveWorkers()).toBe(2);
      console.info(`workers killed between cycles → next scheduled cycle succeeded ${(recoveredMs / 1000).toFixed(1)} s after the kill`);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 900_000);
});
