/** Test helpers for the local stack: run the project's own commands and read what the services report. */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, PROJECT_ROOT } from '../../driver/config.js';
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
