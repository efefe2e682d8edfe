import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../driver/config.js';

// spark/scripts/image-env.sh on a copy of the repository's spark/ folder, so its files can be changed.
let root: string;
let stackHome: string;

function imageEnv(env: Record<string, string> = {}): { code: number; vars: Record<string, string>; stderr: string } {
  const run = spawnSync('bash', [join(root, 'spark/scripts/image-env.sh')], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, STACK_HOME: stackHome, ...env },
  });
  const vars = Object.fromEntries(
    run.stdout
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { code: run.status ?? -1, vars, stderr: run.stderr };
}

/** What `make setup` leaves in .stack/ for ARTIFACTS=local: the installed versions' stamps and the MinIO binary. */
function install(sparkStamp = 'spark-4.3.0-s3a', minioStamp = 'v0.0.0-pinned'): void {
  mkdirSync(join(stackHome, 'spark'), { recursive: true });
  mkdirSync(join(stackHome, 'bin'), { recursive: true });
  writeFileSync(join(stackHome, 'spark/.stamp'), `${sparkStamp}\n`);
  writeFileSync(join(stackHome, 'bin/minio'), '#!/bin/sh\n');
  chmodSync(join(stackHome, 'bin/minio'), 0o755);
  writeFileSync(join(stackHome, 'bin/minio.stamp'), `${minioStamp}\n`);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'image-env-'));
  stackHome = join(root, '.stack');
  cpSync(join(PROJECT_ROOT, 'spark'), join(root, 'spark'), { recursive: true, filter: (src) => !src.endsWith('/spark/gen') });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('image names (spark/scripts/image-env.sh)', () => {
  it('names each image by its version, ARTIFACTS and a hash of its inputs, the same on every call', () => {
    const first = imageEnv();
    expect(first.code, first.stderr).toBe(0);
    expect(first.vars.ARTIFACTS).toBe('download'); // nothing installed in .stack/
    expect(first.vars.SPARK_IMAGE).toMatch(/^flight-radar\/spark:[\d.]+-download-[0-9a-f]{12}$/);
    expect(first.vars.MINIO_IMAGE).toMatch(/^flight-radar\/minio:v[\w.-]+-download-[0-9a-f]{12}$/);
    expect(imageEnv().vars).toEqual(first.vars);
  });

  it('gives the Spark image a new name when its Dockerfile or a file it copies changes, and only that image', () => {
    const before = imageEnv().vars;
    appendFileSync(join(root, 'spark/Dockerfile'), '# another checkout\n');
    const dockerfileChanged = imageEnv().vars;
    expect(dockerfileChanged.SPARK_IMAGE).not.toBe(before.SPARK_IMAGE);
    expect(dockerfileChanged.MINIO_IMAGE).toBe(before.MINIO_IMAGE);

    appendFileSync(join(root, 'spark/docker-entrypoint.sh'), '# changed\n');
    expect(imageEnv().vars.SPARK_IMAGE).not.toBe(dockerfileChanged.SPARK_IMAGE);

    appendFileSync(join(root, 'spark/minio.Dockerfile'), '# changed\n');
    expect(imageEnv().vars.MINIO_IMAGE).not.toBe(before.MINIO_IMAGE);
  });

  it('gives both images new names when a pinned version changes', () => {
    const before = imageEnv().vars;
    appendFileSync(join(root, 'spark/versions.env'), 'SOME_VERSION=2\n');
    const after = imageEnv().vars;
    expect(after.SPARK_IMAGE).not.toBe(before.SPARK_IMAGE);
    expect(after.MINIO_IMAGE).not.toBe(before.MINIO_IMAGE);
  });

  it('takes ARTIFACTS=local once Spark and MinIO are installed, and names local images by the installed versions', () => {
    install();
    const local = imageEnv().vars;
    expect(local.ARTIFACTS).toBe('local');
    expect(local.SPARK_IMAGE).toMatch(/-local-[0-9a-f]{12}$/);
    const download = imageEnv({ ARTIFACTS: 'download' }).vars;
    expect(download.ARTIFACTS).toBe('download');
    expect(download.SPARK_IMAGE?.replace('-download-', '-local-')).not.toBe(local.SPARK_IMAGE);

    install('spark-4.3.0-s3a-other-jars');
    const reinstalled = imageEnv().vars;
    expect(reinstalled.SPARK_IMAGE).not.toBe(local.SPARK_IMAGE);
    expect(reinstalled.MINIO_IMAGE).toBe(local.MINIO_IMAGE);
  });

  it('refuses ARTIFACTS=local when nothing is installed, and an unknown ARTIFACTS, saying why', () => {
    const local = imageEnv({ ARTIFACTS: 'local' });
    expect(local.code).not.toBe(0);
    expect(local.stderr).toContain('ARTIFACTS=download');
    expect(local.vars).toEqual({});
    const unknown = imageEnv({ ARTIFACTS: 'pull' });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("got 'pull'");
  });
});
