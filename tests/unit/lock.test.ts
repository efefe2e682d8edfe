import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { acquirePipelineLock, LockBusyError, LockWaitAbortedError } from '../../driver/lock.js';
import { PROJECT_ROOT } from '../../driver/config.js';

const lockPath = () => join(mkdtempSync(join(tmpdir(), 'fr-lock-')), 'pipeline.lock');

describe('pipeline lock', () => {
  it('refuses a second holder with a message naming the running one', async () => {
    const path = lockPath();
    const release = await acquirePipelineLock(path, 'run_first', { waitMs: 0 });
    const second = acquirePipelineLock(path, 'run_second', { waitMs: 0 });
    await expect(second).rejects.toBeInstanceOf(LockBusyError);
    await expect(second).rejects.toThrow(/run_first.*pid \d+/);
    release();
    expect(existsSync(path)).toBe(false);
  });

  it('lets a waiting run in once the holder releases', async () => {
    const path = lockPath();
    const release = await acquirePipelineLock(path, 'run_first', { waitMs: 0 });
    let waited = false;
    setTimeout(release, 300);
    const releaseSecond = await acquirePipelineLock(path, 'run_second', { waitMs: 10_000, pollMs: 50, onWait: () => (waited = true) });
    expect(waited).toBe(true);
    releaseSecond();
  });

  it('stops waiting as soon as the run is told to stop, leaving the holder in place', async () => {
    const path = lockPath();
    const release = await acquirePipelineLock(path, 'run_first', { waitMs: 0 });
    const stopping = new AbortController();
    setTimeout(() => stopping.abort(), 200);
    const started = Date.now();
    const second = acquirePipelineLock(path, 'run_second', { waitMs: 60_000, pollMs: 30_000, signal: stopping.signal });
    await expect(second).rejects.toBeInstanceOf(LockWaitAbortedError);
    expect(Date.now() - started).toBeLessThan(10_000); // not the 30 s poll, nor the 60 s wait
    expect(existsSync(path)).toBe(true);
    release();
  });

  it('recovers a lock left by a dead process', async () => {
    const path = lockPath();
    const dead = spawnSync('true').pid!; // exited by now
    writeFileSync(path, JSON.stringify({ pid: dead, runId: 'run_dead', since: new Date(0).toISOString() }));
    const release = await acquirePipelineLock(path, 'run_next', { waitMs: 0 });
    release();
  });

  it('holds across processes', async () => {
    const path = lockPath();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '-e', `const { acquirePipelineLock } = await import('./driver/lock.ts');
       await acquirePipelineLock(${JSON.stringify(path)}, 'run_child', { waitMs: 0 });
       console.log('held'); setTimeout(() => {}, 60000);`],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    await expect(acquirePipelineLock(path, 'run_parent', { waitMs: 0 })).rejects.toThrow(/run_child/);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const release = await acquirePipelineLock(path, 'run_parent', { waitMs: 0 });
    release();
  });

  // A run in a container and one on the host share the file but not pid numbers (issue 13).
  describe('an owner in another PID namespace', () => {
    const foreignOwner = (path: string, pid: number, ageMs: number) => {
      writeFileSync(path, JSON.stringify({ pid, runId: 'run_in_container', since: new Date().toISOString(), pidSpace: 'container-1/pid:[1]' }));
      const at = new Date(Date.now() - ageMs);
      utimesSync(path, at, at);
    };

    it('holds the lock while its heartbeat is fresh, whatever its pid means here', async () => {
      const path = lockPath();
      foreignOwner(path, spawnSync('true').pid!, 1_000); // that pid is dead in our namespace
      await expect(acquirePipelineLock(path, 'run_host', { waitMs: 0 })).rejects.toThrow(/run_in_container/);
    });

    it('is taken over once its heartbeat stopped, even if its pid is alive here', async () => {
      const path = lockPath();
      foreignOwner(path, process.pid, 5 * 60_000);
      const release = await acquirePipelineLock(path, 'run_host', { waitMs: 0 });
      release();
      expect(existsSync(path)).toBe(false);
    });

    it('sees our heartbeat: a held lock keeps its mtime fresh', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
      try {
        const path = lockPath();
        const release = await acquirePipelineLock(path, 'run_long', { waitMs: 0 });
        const old = new Date(Date.now() - 10 * 60_000);
        utimesSync(path, old, old);
        vi.advanceTimersByTime(16_000);
        expect(Math.abs(statSync(path).mtimeMs - Date.now())).toBeLessThan(2_000);
        release();
      } finally {
        vi.useRealTimers();
      }
    });
  });
});
