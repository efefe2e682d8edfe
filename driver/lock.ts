import { spawn } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { sleep } from './retry.js';

/** Who holds the pipeline lock, as its holder wrote it: only for the refusal message, never to decide. */
interface LockOwner {
  pid: number;
  runId: string;
  since: string;
  host?: string;
}

export class LockWaitAbortedError extends Error {
  override name = 'LockWaitAbortedError';
}

export class LockBusyError extends Error {
  constructor(readonly owner: LockOwner | undefined, readonly path: string) {
    super(
      `another pipeline run is in progress${
        owner ? `: run ${owner.runId} (pid ${owner.pid}${owner.host ? ` on ${owner.host}` : ''}, since ${owner.since})` : ''
      }; it holds ${path}. Wait for it to finish, or stop that process.`,
    );
    this.name = 'LockBusyError';
  }
}

/** flock(1) is missing or failed for another reason than a held lock. */
export class LockUnavailableError extends Error {
  override name = 'LockUnavailableError';
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.runId === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined; // empty (released, or its holder is writing it) or corrupt: it does not matter who holds it
  }
}

const BUSY = 75; // EX_TEMPFAIL: flock's exit code when the lock is held elsewhere (chosen with --conflict-exit-code)

/**
 * Takes an exclusive kernel lock (flock(2)) on the open file `fd` through util-linux's flock(1), which Node has
 * no binding for. flock(1) exits at once; the lock belongs to the open file, which this process keeps open.
 */
function tryFlock(fd: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--exclusive', '--nonblock', '--conflict-exit-code', String(BUSY), '3'], {
      stdio: ['ignore', 'ignore', 'pipe', fd],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) =>
      reject(new LockUnavailableError(`cannot run flock (util-linux) for the pipeline lock: ${error.message}`)),
    );
    child.once('exit', (code) => {
      if (code === 0) resolve(true);
      else if (code === BUSY) resolve(false);
      else reject(new LockUnavailableError(`flock (util-linux) failed with exit code ${code}: ${stderr.trim()}`));
    });
  });
}

/**
 * The pipeline lock: a kernel lock on a file, so it is released by the kernel whenever its holder ends, however
 * it ends. Nothing is inferred from the file's content: a PID reused after a crash, a reboot, an empty or corrupt
 * file, or a holder in another PID namespace (a container sharing the folder) cannot fool it. The file is never
 * deleted (a deleted lock file lets two processes lock two different files). Runs in one process exclude each
 * other too: each acquisition opens the file anew.
 */
export async function acquirePipelineLock(
  path: string,
  runId: string,
  options: { waitMs: number; pollMs?: number; onWait?: (owner: LockOwner | undefined) => void; signal?: AbortSignal },
): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a+', 0o600);
  const deadline = Date.now() + options.waitMs;
  let told = false;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new LockWaitAbortedError(`stopped while waiting for the pipeline lock ${path}`);
      if (await tryFlock(fd)) break;
      const owner = readOwner(path);
      if (Date.now() >= deadline) throw new LockBusyError(owner, path);
      if (!told) {
        options.onWait?.(owner);
        told = true;
      }
      await sleep(Math.min(options.pollMs ?? 1_000, Math.max(0, deadline - Date.now())), options.signal);
    }
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  ftruncateSync(fd, 0);
  writeSync(fd, JSON.stringify({ pid: process.pid, runId, since: new Date().toISOString(), host: hostname() }));
  let released = false;
  return () => {
    if (released) return;
    released = true;
    ftruncateSync(fd, 0); // the next reader finds no stale owner to name
    closeSync(fd); // the kernel releases the lock with the last descriptor of this open file
  };
}
