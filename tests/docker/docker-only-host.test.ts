/**
 * A Docker host needs only Docker, make, Node and curl: `make setup` (what `make up` and `make test` start with)
 * run with a PATH that has no java, javac, mvn, go or python, as STACK=docker with ARTIFACTS=download. It must
 * install nothing of the local stack, build (or reuse) the images that bring Spark and MinIO, and generate the
 * protocol code from the Connect jar inside the Spark image.
 * Runs only where the images are the download kind (CI sets ARTIFACTS=download; a checkout without a local
 * install gets it by default): elsewhere it would build them, about 5 minutes cold, so it says it skipped.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../driver/config.js';

const answers = (...args: string[]) => spawnSync('docker', args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
const installed = existsSync(join(PROJECT_ROOT, '.stack/spark/.stamp')) && existsSync(join(PROJECT_ROOT, '.stack/bin/minio'));
const artifacts = process.env.ARTIFACTS ?? (installed ? 'local' : 'download');
const runs = answers('info') && answers('compose', 'version') && artifacts === 'download';
if (!runs) console.warn(`SKIPPED tests/docker/docker-only-host: needs a Docker engine with compose v2 and ARTIFACTS=download (here: ${artifacts})`);

const LOCAL_STACK_TOOLS = /^(java|javac|jar|jshell|keytool|mvn|mvnDebug|go|gofmt|python[\d.]*|pip[\d.]*)$/;
const scratch = mkdtempSync(join(tmpdir(), 'fr-docker-only-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A PATH holding every command of this one except the local stack's tools. */
function pathWithoutLocalTools(): string {
  const bin = join(scratch, 'bin');
  mkdirSync(bin);
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter((d) => d && existsSync(d))) {
    for (const name of readdirSync(dir)) {
      if (LOCAL_STACK_TOOLS.test(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  return bin;
}

describe.skipIf(!runs)('a Docker host without Java, Go, Python or Maven', () => {
  it('sets up with the images: nothing of the local stack installed, protocol code from the Spark image', () => {
    const path = pathWithoutLocalTools();
    // stdin not a socket: bash would then read ~/.bashrc, whose PATH may bring the tools back.
    const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
    const absent = spawnSync('bash', ['-c', 'for t in java javac mvn go python3 python pip3; do command -v $t; done; true'], {
      encoding: 'utf8',
      stdio,
      env: { PATH: path },
    });
    expect(absent.stdout.trim(), 'the PATH must lack every local-stack tool').toBe('');

    const stackHome = join(scratch, 'stack');
    mkdirSync(stackHome);
    // The checkout's node_modules are current: setup.sh compares this stamp and leaves them as they are.
    const lockSum = createHash('sha256').update(readFileSync(join(PROJECT_ROOT, 'package-lock.json'))).digest('hex').slice(0, 16);
    writeFileSync(join(stackHome, 'npm.stamp'), `${lockSum}\n`);

    const setup = spawnSync('bash', [join(PROJECT_ROOT, 'spark/scripts/setup.sh')], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio,
      timeout: 900_000,
      env: { HOME: process.env.HOME, PATH: path, STACK: 'docker', STACK_HOME: stackHome, ARTIFACTS: 'download' },
    });
    const output = `${setup.stdout}\n${setup.stderr}`;
    expect(setup.status, output).toBe(0);
    expect(output).toContain('not installed in .stack/');
    expect(existsSync(join(stackHome, 'spark')), 'no local Spark').toBe(false);
    expect(existsSync(join(stackHome, 'bin/minio')), 'no local MinIO').toBe(false);

    // The images setup names exist, and the Connect jar the protocol code comes from was copied out of the Spark one.
    const images = readFileSync(join(stackHome, 'compose.env'), 'utf8');
    const spark = /^SPARK_IMAGE=(.+)$/m.exec(images)?.[1];
    const minio = /^MINIO_IMAGE=(.+)$/m.exec(images)?.[1];
    expect(spark).toMatch(/-download-/);
    expect(spawnSync('docker', ['image', 'inspect', spark!, minio!], { stdio: 'ignore' }).status).toBe(0);
    const jars = readdirSync(join(stackHome, 'docker/jars'));
    expect(jars.some((name) => /^spark-connect_[\d.]+-.+\.jar$/.test(name)), jars.join(' ')).toBe(true);
    expect(readFileSync(join(stackHome, 'docker/jars/.image'), 'utf8').trim()).toBe(spark);
    expect(output).toMatch(/gen: (generated spark\/gen|spark\/gen is up to date) /);
    expect(existsSync(join(PROJECT_ROOT, 'spark/gen/spark/connect/base_pb.ts'))).toBe(true);
  });
});
