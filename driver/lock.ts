import { mkdirSync, readFileSync, readlinkSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { sleep } from './retry.js';

/** Who holds the pipeline lock: enough for the refusal message to tell a user what to look at. */
interface LockOwner {
  pid: number;
  runId: string;
  since: string;
  /** The owner's host and PID namespace: its pid means something only to processes that share both. */
  pidSpace?: string;
}

/**
 * A run inside a container and one on the host (or in another container) share the lock file through a
 * mounted folder but not their pid numbers. Their owner keeps the file's mtime fresh instead, and a lock
 * from another PID namespace is stale once that heartbeat stops.
 */
const HEARTBEAT_MS = 15_000;
const FOREIGN_STALE_MS = 4 * HEARTBEAT_MS;

function currentPidSpace(): string {
  let namespace = '';
  try {
    namespace = readlinkSync('/proc/self/ns/pid'); // e.g. pid:[4026531836]; absent off Linux
  } catch {
    /* one namespace per host */
  }
  return `${hostname()}/${namespace}`;
}
const PID_SPACE = currentPidSpace();

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

function isAlive(owner: LockOwner, path: string): boolean {
  if (owner.pidSpace !== undefined && owner.pidSpace !== PID_SPACE) {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat !== undefined && Date.now() - stat.mtimeMs < FOREIGN_STALE_MS;
  }
  return pidAlive(owner.pid);
}

function pidAlive(pid: number): boolean {
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
 * when the pid in it is dead (or, for an owner in another PID namespace, when its heartbeat stopped).
 * Runs in one process share it too, so they cannot overlap either.
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
      const owner: LockOwner = { pid: process.pid, runId, since: new Date().toISOString(), pidSpace: PID_SPACE };
      writeFileSync(path, JSON.stringify(owner), { flag: 'wx' });
      const heartbeat = setInterval(() => {
        try {
          const now = new Date();
          utimesSync(path, now, now);
        } catch {
          /* released or removed meanwhile */
        }
      }, HEARTBEAT_MS).unref();
      return () => {
        clearInterval(heartbeat);
        if (readOwner(path)?.runId === runId) rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(path);
    if (!owner || !isAlive(owner, path)) {
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
    const stale = owner ? !isAlive(owner, path) : stat !== undefined && Date.now() - stat.mtimeMs > 5_000;
    if (stale) rmSync(path, { force: true });
  } finally {
    rmSync(breaker, { force: true });
  }
}
