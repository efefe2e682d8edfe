/**
 * The stack's health as the pipeline needs it: MinIO ready, the master answering with ALIVE workers, the Connect
 * server's port open. Checked before every cycle (a dead daemon is restarted instead of stalling the schedule)
 * and when a stage passes its deadline (to say what is missing), and printed by `make doctor`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { Config } from './config.js';
import { PROJECT_ROOT } from './config.js';

export interface StackHealth {
  minio: 'ready' | 'down' | `http ${number}`;
  masterUi: string;
  /** undefined when the master did not answer. */
  aliveWorkers: number | undefined;
  connect: 'open' | 'closed';
}

const PROBE_MS = 3_000;
const urlOf = (url: string) => new URL(url.replace(/^(sc|spark):/, 'http:'));

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.setTimeout(PROBE_MS);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

export async function probeStack(config: Config): Promise<StackHealth> {
  const masterUi = `http://${urlOf(config.spark.masterUrl).hostname}:${config.spark.masterWebUiPort}/json/`;
  const connectUrl = urlOf(config.spark.connectUrl);
  const [minio, aliveWorkers, connect] = await Promise.all([
    fetch(`${config.minio.endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(PROBE_MS) }).then(
      (r): StackHealth['minio'] => (r.ok ? 'ready' : `http ${r.status}`),
      (): StackHealth['minio'] => 'down',
    ),
    fetch(masterUi, { signal: AbortSignal.timeout(PROBE_MS) })
      .then((r) => r.json() as Promise<{ workers?: { state: string }[] }>)
      .then(
        (state) => (state.workers ?? []).filter((w) => w.state === 'ALIVE').length,
        () => undefined,
      ),
    portOpen(connectUrl.hostname, Number(connectUrl.port)).then((open) => (open ? ('open' as const) : ('closed' as const))),
  ]);
  return { minio, masterUi, aliveWorkers, connect };
}

/** What the pipeline cannot run without, one phrase each (empty when the stack looks healthy). */
export function missingParts(health: StackHealth, config: Config): string[] {
  const missing: string[] = [];
  if (health.minio !== 'ready') missing.push(`MinIO at ${config.minio.endpoint} is not ready (${health.minio})`);
  if (health.aliveWorkers === undefined) missing.push(`the Spark master does not answer at ${health.masterUi}`);
  else if (health.aliveWorkers === 0) missing.push(`no ALIVE worker at the Spark master ${health.masterUi}`);
  if (health.connect !== 'open') missing.push(`Spark Connect is not listening at ${config.spark.connectUrl.replace(/;.*/, '')}`);
  return missing;
}

/** Workers the local stack was started with (stack.sh keeps one pid file per worker); undefined when not local. */
function localWorkerCount(stackHome: string): number | undefined {
  const runDir = join(stackHome, 'run');
  if (!existsSync(join(runDir, 'master.pid'))) return undefined;
  return readdirSync(runDir).filter((name) => /^worker-\d+\.pid$/.test(name)).length;
}

/**
 * Restarts what is dead in a local stack (stack.sh up is idempotent: it starts only the daemons whose process is
 * gone, then waits for each to be healthy). A stack under docker compose heals by its restart policies, so it is
 * only reported. Resolves to what is still missing afterwards.
 */
export async function healStack(
  config: Config,
  options: { workers?: number; timeoutMs: number; signal?: AbortSignal; log: { warn(m: string): void; info(m: string): void } },
): Promise<string[]> {
  const health = await probeStack(config);
  const missing = missingParts(health, config);
  const local = localWorkerCount(config.stackHome);
  const expected = options.workers ?? Math.max(1, local ?? 0);
  // None ALIVE is already in `missing`; some but fewer than the stack was started with is worth a restart too.
  const tooFewWorkers = local !== undefined && health.aliveWorkers !== undefined && health.aliveWorkers > 0 && health.aliveWorkers < expected;
  if (missing.length === 0 && !tooFewWorkers) return [];
  if (local === undefined) {
    options.log.warn(`stack unhealthy and not local processes (left to its restart policies): ${missing.join('; ')}`);
    return missing;
  }
  options.log.warn(
    `stack unhealthy before the run: ${[...missing, ...(tooFewWorkers ? [`${health.aliveWorkers} of ${expected} workers ALIVE`] : [])].join('; ')}; restarting what is dead`,
  );
  const started = Date.now();
  const result = await new Promise<{ ok: boolean; output: string }>((resolve) =>
    execFile(
      'bash',
      ['spark/scripts/stack.sh', 'up', String(expected)],
      {
        cwd: PROJECT_ROOT,
        timeout: options.timeoutMs,
        signal: options.signal,
        killSignal: 'SIGKILL',
        env: { ...process.env, STACK_HOME: config.stackHome },
      },
      (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}`.trim().split('\n').slice(-3).join(' | ') }),
    ),
  );
  const still = missingParts(await probeStack(config), config);
  if (result.ok && still.length === 0) options.log.info(`stack restarted in ${Date.now() - started} ms`);
  else options.log.warn(`stack restart ${result.ok ? 'finished' : 'failed'} in ${Date.now() - started} ms: ${result.output}`);
  return still;
}
