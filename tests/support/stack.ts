/** Test helpers for the local stack: run the project's own commands and read what the services report. */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, PROJECT_ROOT } from '../../driver/config.js';
import { sleep } from '../../driver/retry.js';
import { runningStack, type StackKind } from '../../driver/stack-kind.js';

const run = promisify(execFile);

export async function stackCommand(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', ['spark/scripts/stack.sh', ...args], { cwd: PROJECT_ROOT, maxBuffer: 1 << 24 });
  return stdout;
}

export async function make(target: string, ...vars: string[]): Promise<{ stdout: string; stderr: string }> {
  return makeWith(process.env, target, ...vars);
}

/** `make -s TARGET VARS` with this environment (settings given as environment variables win over config.ini). */
export async function makeWith(env: NodeJS.ProcessEnv, target: string, ...vars: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('make', ['-s', target, ...vars], { cwd: PROJECT_ROOT, env, maxBuffer: 1 << 24, timeout: 600_000 });
}

export interface MasterState {
  aliveworkers: number;
  workers: { id: string; state: string; coresused: number; host: string }[];
  activeapps: { id: string; name: string; state: string; cores: number }[];
  completedapps: { id: string; name: string; state: string }[];
}

export async function masterState(uiUrl = `http://127.0.0.1:${loadConfig().spark.masterWebUiPort}/json/`): Promise<MasterState> {
  const response = await fetch(uiUrl, { redirect: 'follow' });
  if (!response.ok) throw new Error(`master UI ${uiUrl} answered ${response.status}`);
  return (await response.json()) as MasterState;
}

export async function minioReady(): Promise<boolean> {
  const { minio } = loadConfig();
  try {
    return (await fetch(`${minio.endpoint}/minio/health/ready`)).ok;
  } catch {
    return false;
  }
}

/** Pids of every live process whose command line names this project's .stack folder (ours, not others'). */
export async function stackProcesses(): Promise<number[]> {
  const { stackHome } = loadConfig();
  try {
    const { stdout } = await run('pgrep', ['-f', stackHome]);
    return stdout.split('\n').filter(Boolean).map(Number).filter((pid) => pid !== process.pid);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** A daemon's pid, from its pid file ("pid start-time", written by spark/scripts/stack.sh). */
export function stackPid(name: string): number {
  return Number(readFileSync(join(loadConfig().stackHome, 'run', `${name}.pid`), 'utf8').split(' ')[0]);
}

/** A process's start time in clock ticks since boot (/proc/PID/stat field 22), as stack.sh writes it in pid files. */
function startTimeOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)?.split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * The daemons of this checkout's local stack that run now (minio, master, worker-N, connect): those whose pid file
 * names a live process started when the file says, so a pid the kernel has since reused is not taken for ours.
 */
export function runningDaemons(stackHome = loadConfig().stackHome): string[] {
  const runDir = join(stackHome, 'run');
  let files: string[];
  try {
    files = readdirSync(runDir).filter((f) => f.endsWith('.pid'));
  } catch {
    return [];
  }
  return files
    .filter((file) => {
      const [pid, start] = readFileSync(join(runDir, file), 'utf8').trim().split(' ');
      return Boolean(pid && start) && startTimeOf(Number(pid)) === start;
    })
    .map((file) => file.slice(0, -'.pid'.length))
    .sort();
}

/** The kind of this checkout's running stack, as its scripts recorded it (.stack/run/stack.kind). */
export const stackKind = (): StackKind | undefined => runningStack(loadConfig().stackHome);

/**
 * For test files that kill and restart the local stack's processes by their pid files: true on the local stack;
 * on any other kind, says loudly that the file's tests are skipped (and why), for `describe.skipIf`.
 */
export function skipUnlessLocalStack(file: string): boolean {
  const kind = stackKind();
  if (kind === 'local') return false;
  console.warn(
    `SKIPPED ${file}: its faults are real processes of the local stack, killed by their pid files, and the running stack ` +
      `is ${kind ?? 'not recorded'} (run it with STACK=local, as make test does)`,
  );
  return true;
}

/**
 * Polls `probe` every `everyMs` until it returns a value, `stopIf()` holds, or `timeoutMs` passes: the value, or
 * undefined. Every wait of the fault tests is bounded by it instead of a fixed sleep.
 */
export async function pollFor<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs, everyMs = 100, stopIf = () => false }: { timeoutMs: number; everyMs?: number; stopIf?: () => boolean },
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (!stopIf() && Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(everyMs);
  }
  return undefined;
}

/** The Spark Connect server's application id, as the master lists it: the one RUNNING application of this stack. */
export async function connectApplication(): Promise<string | undefined> {
  const running = (await masterState()).activeapps.filter((app) => app.state === 'RUNNING');
  return running.length === 1 && running[0]?.name === 'Spark Connect server' ? running[0].id : undefined;
}

/** An executor as the Connect server's Spark UI reports it (/api/v1/applications/APP/allexecutors). */
export interface ExecutorSummary {
  id: string;
  isActive: boolean;
  activeTasks: number;
  totalTasks: number;
  failedTasks: number;
  removeReason?: string;
  /** Like 2026-11-30T01:16:29.170GMT. */
  removeTime?: string;
}

/** A time as Spark's REST API writes it (2026-11-30T01:16:29.170GMT), in epoch ms. */
export const sparkUiTime = (time: string | undefined) => Date.parse((time ?? '').replace(/GMT$/, 'Z'));

/**
 * The port of the local Connect server's Spark UI: the first free one from 4040, chosen at start and logged by
 * the server (its log is rewritten at each start); undefined before it logged one.
 */
export function connectUiPort(): string | undefined {
  const log = join(loadConfig().stackHome, 'logs', 'connect.log');
  if (!existsSync(log)) return undefined;
  return [...readFileSync(log, 'utf8').matchAll(/Successfully started service 'SparkUI' on port (\d+)/g)].at(-1)?.[1];
}

/**
 * The REST API of the Spark UI of the Connect server (the Spark driver) running application `appId`; the API
 * must name `appId`, so another stack's driver is never taken for ours.
 */
export async function driverApi(appId: string): Promise<string> {
  const port = connectUiPort();
  if (!port) throw new Error('the Connect server logged no Spark UI port (connect.log)');
  const api = `http://127.0.0.1:${port}/api/v1/applications/${appId}`;
  const apps = (await (await fetch(`http://127.0.0.1:${port}/api/v1/applications`)).json()) as { id: string }[];
  if (!apps.some((app) => app.id === appId)) throw new Error(`the Spark UI on port ${port} does not serve ${appId}: ${JSON.stringify(apps)}`);
  return api;
}

export async function driverExecutors(api: string): Promise<ExecutorSummary[]> {
  return (await (await fetch(`${api}/allexecutors`)).json()) as ExecutorSummary[];
}

/** The ids of the executors of `appId` that worker N of the local stack runs, from the worker's own UI JSON. */
export async function workerExecutors(worker: number, appId: string): Promise<string[]> {
  // stack.sh gives worker N the web UI port of the master's plus N.
  const state = (await (await fetch(`http://127.0.0.1:${loadConfig().spark.masterWebUiPort + worker}/json/`)).json()) as {
    executors: { id: number; appid: string }[];
  };
  return state.executors.filter((e) => e.appid === appId).map((e) => String(e.id));
}
