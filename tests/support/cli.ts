/** The product's CLI as a user runs it (`node --import tsx driver/cli.ts ...`), for the integration tests. */
import { spawn } from 'node:child_process';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PROJECT_ROOT } from '../../driver/config.js';
import { manifestKey } from '../../contracts/index.js';
import { RunManifest } from '../../driver/manifest.js';

export interface CliRun { code: number; stdout: string; stderr: string; ms: number }

/** Runs one command to its end. */
export function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'driver/cli.ts', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
}

/** Starts a long-running command; `waitFor` resolves once its log has shown `pattern` `count` times. */
export function startCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'driver/cli.ts', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  const waitFor = async (pattern: RegExp, count = 1) => {
    while ((stderr.match(new RegExp(pattern, 'g')) ?? []).length < count) await new Promise((r) => setTimeout(r, 200));
  };
  return { child, exited, waitFor, log: () => stderr };
}

/** The manifest of the last run a log names (run ids are `run_YYYYMMDDHHMMSS_<suffix>`, the snapshot's second). */
export async function manifestOfLog(s3: S3Client, bucket: string, log: string): Promise<RunManifest> {
  const id = [...log.matchAll(/run_(\d{14})_[0-9a-f]{6}/g)].at(-1)?.[1];
  if (!id) throw new Error(`no run id in the output:\n${log}`);
  const t = new Date(Date.UTC(+id.slice(0, 4), +id.slice(4, 6) - 1, +id.slice(6, 8), +id.slice(8, 10), +id.slice(10, 12), +id.slice(12, 14)));
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey(t) }));
  return RunManifest.parse(JSON.parse(await object.Body!.transformToString()));
}
