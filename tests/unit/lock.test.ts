import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
    expect(readFileSync(path, 'utf8')).toBe(''); // kept (deleting a lock file races), emptied of its owner
    (await acquirePipelineLock(path, 'run_second', { waitMs: 0 }))();
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

  it('takes over a lock file whose recorded holder is dead, even when its PID now belongs to a live process', async () => {
    const path = lockPath();
    const dead = spawnSync('true').pid!; // exited by now
    writeFileSync(path, JSON.stringify({ pid: dead, runId: 'run_dead', since: new Date(0).toISOString() }));
    (await acquirePipelineLock(path, 'run_next', { waitMs: 0 }))();
    // PID reuse (or a reboot, or another PID namespace): the recorded PID is alive but is not the holder.
    for (const pid of [process.pid, 1]) {
      writeFileSync(path, JSON.stringify({ pid, runId: 'run_crashed', since: new Date(0).toISOString() }));
      (await acquirePipelineLock(path, 'run_next', { waitMs: 0 }))();
    }
  });

  it('is not stalled by an empty or corrupt lock file', async () => {
    const path = lockPath();
    for (const content of ['', '{"pid":', '\0\0\0', 'null']) {
      writeFileSync(path, content);
      const started = Date.now();
      (await acquirePipelineLock(path, 'run_next', { waitMs: 0 }))();
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });

  it('names no holder when the held lock file says nothing usable', async () => {
    const path = lockPath();
    const release = await acquirePipelineLock(path, 'run_first', { waitMs: 0 });
    writeFileSync(path, 'garbage');
    await expect(acquirePipelineLock(path, 'run_second', { waitMs: 0 })).rejects.toThrow(/another pipeline run is in progress; it holds/);
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
    child.kill('SIGKILL'); // no release ran: the kernel frees the lock with the process
    await new Promise((resolve) => child.once('exit', resolve));
    const release = await acquirePipelineLock(path, 'run_parent', { waitMs: 0 });
    release();
  });

  // A run in a container and one on the host share the file but not pid numbers (issue 13): a holder in another
  // PID namespace, for real (unshare(1), where this machine lets us), excludes us and is released with its process.
  const canUnshare = spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0;
  it.skipIf(!canUnshare)('holds against, and is freed by, a holder in another PID namespace', async () => {
    const path = lockPath();
    const child = spawn(
      'unshare',
      ['--pid', '--fork', '--kill-child', process.execPath, '--import', 'tsx', '-e', `const { acquirePipelineLock } = await import('./driver/lock.ts');
       await acquirePipelineLock(${JSON.stringify(path)}, 'run_in_container', { waitMs: 0 });
       console.log('held', process.pid); setTimeout(() => {}, 60000);`],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const inner = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
    expect(inner).toMatch(/^held 1\b/); // pid 1 of its own namespace: that number means nothing here
    await expect(acquirePipelineLock(path, 'run_host', { waitMs: 0 })).rejects.toThrow(/run_in_container \(pid 1/);
    child.kill('SIGKILL'); // --kill-child: the holder (its namespace's init) dies with unshare, as a container's does
    await new Promise((resolve) => child.once('exit', resolve));
    const started = Date.now();
    const release = await acquirePipelineLock(path, 'run_host', { waitMs: 10_000, pollMs: 100 });
    expect(Date.now() - started).toBeLessThan(5_000);
    release();
  });
});
