import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sleep } from './retry.js';

/** Who holds the pipeline lock: enough for the refusal message to tell a user what to look at. */
interface LockOwner {
  pid: number;
  runId: string;
  since: string;
}

export class LockWaitAbortedError extends Error {
  override name = 'LockWaitAbortedError';
}

export class LockBusyError extends Error {
  constructor(readonly owner: LockOwner, readonly path: string) {
    super(
      `another pipeline run is in progress: run ${owner.runId} (pid ${owner.pid}, since ${owner.since}); ` +
        `it holds ${path}. Wait for it to finish, or stop that process.`,
    );
    this.name = 'LockBusyError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined; // absent, or half-written by an owner that died while writing it
  }
}

/**
 * A lock file that works across processes: created exclusively, released by its owner, and taken over
 * when the pid in it is dead. Runs in one process share it too, so they cannot overlap either.
 */
export async function acquirePipelineLock(
  path: string,
  runId: string,
  options: { waitMs: number; pollMs?: number; onWait?: (owner: LockOwner) => void; signal?: AbortSignal },
): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + options.waitMs;
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw new LockWaitAbortedError(`stopped while waiting for the pipeline lock ${path}`);
    try {
      writeFileSync(path, JSON.stringify({ pid: process.pid, runId, since: new Date().toISOString() }), { flag: 'wx' });
      return () => {
        if (readOwner(path)?.runId === runId) rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(path);
    if (!owner || !isAlive(owner.pid)) {
      removeStaleLock(path);
      await sleep(50);
      continue;
    }
    if (Date.now() >= deadline) throw new LockBusyError(owner, path);
    if (!told) {
      options.onWait?.(owner);
      told = true;
    }
    await sleep(options.pollMs ?? 1_000, options.signal);
  }
}

/**
 * Removes a lock left by a dead process. Two processes may find it stale at once; a short-lived breaker file
 * lets only one of them re-check and remove it, so neither can delete the fresh lock the other just took.
 */
function removeStaleLock(path: string): void {
  const breaker = `${path}.breaker`;
  try {
    writeFileSync(breaker, String(process.pid), { flag: 'wx' });
  } catch {
    // Someone else is breaking it; a breaker older than 10 s belongs to a process that died mid-way.
    try {
      if (Date.now() - statSync(breaker).mtimeMs > 10_000) rmSync(breaker, { force: true });
    } catch {
      /* gone already */
    }
    return;
  }
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    const owner = readOwner(path);
    // An unreadable lock younger than a few seconds is being written by its owner right now.
    const stale = owner ? !isAlive(owner.pid) : stat !== undefined && Date.now() - stat.mtimeMs > 5_000;
    if (stale) rmSync(path, { force: true });
  } finally {
    rmSync(breaker, { force: true });
  }
}
