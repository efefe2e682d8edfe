/**
 * The compose-hosted cluster, started through testcontainers from the project's own docker-compose.yml and
 * Dockerfiles: MinIO, the Spark master, two workers and Spark Connect on a compose project of their own,
 * every port published on 127.0.0.1 at a free port Docker picks, secrets given as compose secret files and the
 * pipeline's MinIO user created with the root keys as `make up` does. One pipeline cycle runs on the FR24
 * simulator through the real CLI; who may reach the cluster is checked (issue 14); then a worker container is
 * killed in the middle of a job. One stack for every test: it takes minutes to start.
 * Runs only when a Docker engine and compose v2 answer (vitest.config.ts); `make test` says when it skips.
 */
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DockerComposeEnvironment, Wait, type StartedDockerComposeEnvironment } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../driver/config.js';
import { RunManifest } from '../../driver/manifest.js';
import { COMPOSE_SECRETS, writeComposeSecrets } from '../../driver/stack-files.js';
import { s3Client } from '../../extract/s3.js';
import { startFr24Sim, type Fr24Sim } from '../../extract/index.js';
import { bronzeKey, goldKey, manifestKey, silverKey } from '../../contracts/index.js';
import { F, SparkSession } from '../../spark/index.js';
import { parseCsv } from '../support/csv.js';
import { expectConnectRequiresToken, expectUiCannotKill, expectUserScopedToBucket, leaks, sampleCommandLines } from '../support/trust.js';

const exec = promisify(execFile);
const answers = (...args: string[]) => spawnSync('docker', args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
const dockerAnswers = answers('info') && answers('compose', 'version');
if (!dockerAnswers) console.warn('SKIPPED tests/docker: no Docker engine with compose v2 answers (docker info, docker compose version)');
const SCALE = 2;
const project = `flight-radar-tc-${randomBytes(4).toString('hex')}`;
const bucket = 'flights';

const keyValues = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
// This suite's own secrets, generated as `make setup` does; the containers read them from owner-only files.
const secrets = {
  MINIO_ROOT_USER: `tc-root-${randomBytes(6).toString('hex')}`,
  MINIO_ROOT_PASSWORD: randomBytes(24).toString('hex'),
  MINIO_SECRET_KEY: randomBytes(24).toString('hex'),
  SPARK_CONNECT_TOKEN: randomBytes(24).toString('hex'),
  SPARK_AUTHENTICATE_SECRET: randomBytes(32).toString('hex'),
} satisfies Record<(typeof COMPOSE_SECRETS)[number], string>;
const secretHome = mkdtempSync(join(tmpdir(), 'fr-tc-secrets-'));
// What compose interpolates (no secret): the versions, the images named by their inputs (and ARTIFACTS) as
// `make up` names them, the secret files' folder; no published port is set, so Docker maps each to a free one.
const composeEnv: Record<string, string> = {
  ...keyValues(readFileSync(join(PROJECT_ROOT, 'spark/versions.env'), 'utf8')),
  ...(dockerAnswers ? keyValues(execFileSync('bash', [join(PROJECT_ROOT, 'spark/scripts/image-env.sh')], { encoding: 'utf8' })) : {}),
  SECRETS_DIR: join(secretHome, 'secrets'),
  MINIO_ACCESS_KEY: `tc-${randomBytes(6).toString('hex')}`,
  MINIO_BUCKET: bucket,
  SPARK_WORKER_CORES: '1',
  SPARK_WORKER_MEMORY: '1g',
  SPARK_EXECUTOR_MEMORY: '768m',
  SPARK_DRIVER_MEMORY: '1g',
};

let stack: StartedDockerComposeEnvironment | undefined;
let settings: Record<string, string>;
let s3: S3Client;
let rootS3: S3Client;
let sim: Fr24Sim;
let commandLines: { stop(): Promise<Set<string>> };

const composeCli = (...args: string[]) =>
  exec('docker', ['compose', '-p', project, '-f', join(PROJECT_ROOT, 'docker-compose.yml'), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...composeEnv },
    maxBuffer: 1 << 24,
  });
const projectContainers = async () =>
  (await exec('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).stdout.split('\n').filter(Boolean);

/** Removes the project's containers, network and volume whatever state the start left them in. */
async function removeEverything(): Promise<void> {
  await stack?.down({ removeVolumes: true, timeout: 10_000 }).catch(() => undefined);
  stack = undefined;
  await composeCli('down', '-v', '--remove-orphans', '--timeout', '5').catch(() => undefined);
}

async function aliveWorkers(): Promise<number> {
  const state = (await (await fetch(`http://127.0.0.1:${settings.SPARK_MASTER_WEBUI_PORT}/json/`)).json()) as { workers: { state: string }[] };
  return state.workers.filter((w) => w.state === 'ALIVE').length;
}

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'driver/cli.ts', ...args], {
      cwd: PROJECT_ROOT,
      // The host side of the settings: the mapped ports; a STACK_HOME of its own keeps the developer's lock and logs apart.
      env: { ...process.env, ...settings, FR24_BASE_URL: sim?.url, STAGE_RETRIES: '1', ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const text = async (key: string) => (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString());

const secretValues = Object.values(secrets);
const authorizedUrl = () => `${settings.SPARK_CONNECT_URL}/;token=${encodeURIComponent(secrets.SPARK_CONNECT_TOKEN)}`;
/** Every string inside a parsed JSON value (so a secret is found as it is, not as JSON escapes it). */
const stringsOf = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(stringsOf) : [];

beforeAll(async () => {
  if (!dockerAnswers) return;
  // Host command lines from before the stack starts (any process: these secrets are this suite's alone).
  commandLines = sampleCommandLines(() => true, 200);
  writeComposeSecrets(secrets, secretHome);
  try {
    stack = await new DockerComposeEnvironment(PROJECT_ROOT, 'docker-compose.yml')
      .withProjectName(project)
      .withBuild()
      .withEnvironment(composeEnv)
      .withClientOptions({ commandOptions: ['--scale', `spark-worker=${SCALE}`] })
      .withWaitStrategy('minio-1', Wait.forHealthCheck())
      .withWaitStrategy('spark-master-1', Wait.forHealthCheck())
      .withWaitStrategy('spark-connect-1', Wait.forHealthCheck())
      .withDefaultWaitStrategy(Wait.forLogMessage(/Successfully registered with master/))
      .withStartupTimeout(300_000)
      .up(['minio', 'spark-master', 'spark-worker', 'spark-connect']);
  } catch (error) {
    await removeEverything();
    throw error;
  }
  const port = (service: string, inside: number) => String(stack!.getContainer(`${service}-1`).getMappedPort(inside));
  settings = {
    STACK_HOME: mkdtempSync(join(tmpdir(), 'fr-tc-')),
    MINIO_ENDPOINT: `http://127.0.0.1:${port('minio', 9000)}`,
    MINIO_CONSOLE_PORT: port('minio', 9001),
    MINIO_ACCESS_KEY: composeEnv.MINIO_ACCESS_KEY!,
    MINIO_SECRET_KEY: secrets.MINIO_SECRET_KEY,
    MINIO_BUCKET: bucket,
    SPARK_MASTER_URL: `spark://127.0.0.1:${port('spark-master', 7077)}`,
    SPARK_MASTER_WEBUI_PORT: port('spark-master', 8080),
    SPARK_CONNECT_URL: `sc://127.0.0.1:${port('spark-connect', 15002)}`,
    SPARK_CONNECT_TOKEN: secrets.SPARK_CONNECT_TOKEN,
  };
  // As `make up` on compose: the root keys' only use, through the published port, is the bucket and its user.
  const grant = await cli(['grant-bucket'], { MINIO_ROOT_USER: secrets.MINIO_ROOT_USER, MINIO_ROOT_PASSWORD: secrets.MINIO_ROOT_PASSWORD });
  if (grant.code !== 0) {
    await removeEverything();
    throw new Error(`grant-bucket failed: ${grant.stderr}`);
  }
  s3 = s3Client({ endpoint: settings.MINIO_ENDPOINT!, accessKey: settings.MINIO_ACCESS_KEY!, secretKey: settings.MINIO_SECRET_KEY!, bucket });
  rootS3 = s3Client({ endpoint: settings.MINIO_ENDPOINT!, accessKey: secrets.MINIO_ROOT_USER, secretKey: secrets.MINIO_ROOT_PASSWORD, bucket });
  sim = await startFr24Sim({ host: '127.0.0.1', port: 0 });
  const deadline = Date.now() + 120_000;
  while ((await aliveWorkers()) < SCALE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1_000));
});

afterAll(async () => {
  await commandLines?.stop();
  await sim?.close();
  await removeEverything();
});

describe.skipIf(!dockerAnswers)('the compose-hosted cluster (testcontainers)', () => {
  it('comes up with every port on 127.0.0.1 and N ALIVE workers', async () => {
    expect(await aliveWorkers()).toBe(SCALE);
    const { stdout } = await exec('docker', ['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Ports}}']);
    const published = stdout.match(/[\d.:]+->\d+\/tcp/g) ?? [];
    expect(published.length).toBe(5); // MinIO API + console, master RPC + UI, Connect
    for (const mapping of published) expect(mapping).toMatch(/^127\.0\.0\.1:\d+->/);
  });

  it('runs one pipeline cycle on the simulator: bronze, silver, gold (magic committer), manifest, answers', async () => {
    const run = await cli(['run-main', 'once=1']);
    expect(run.code, run.stderr).toBe(0);
    const id = /run_(\d{14})/.exec(run.stderr)?.[1];
    expect(id, run.stderr).toBeDefined();
    const t = new Date(Date.UTC(+id!.slice(0, 4), +id!.slice(4, 6) - 1, +id!.slice(6, 8), +id!.slice(8, 10), +id!.slice(10, 12), +id!.slice(12, 14)));

    const manifest = RunManifest.parse(JSON.parse(await text(manifestKey(t))));
    expect(manifest.status).toBe('succeeded');
    // Bronze holds what the simulator serves (a few capped cells may lose flights), and the manifest counts it.
    const bronzeRows = parseCsv(await text(bronzeKey(t))).length - 1;
    expect(bronzeRows).toBeGreaterThanOrEqual(sim.world.flights.length * 0.95);
    expect(manifest.stages.extract.rowsOut).toBe(bronzeRows);
    expect(manifest.stages.silver.rowsOut! + manifest.stages.silver.quarantinedRows!).toBe(bronzeRows - (manifest.stages.silver.duplicatesRemoved ?? 0));
    for (const key of [silverKey(t), goldKey(t)]) {
      const success = JSON.parse(await text(`${key}_SUCCESS`)) as { committer?: string };
      expect(success.committer, `${key}_SUCCESS`).toBe('magic');
    }
    expect(manifest.stages.gold.rowsOut).toBe(manifest.stages.silver.rowsOut);

    const answers = await cli(['run-answers', 'question=all', 'format=json', `at=${manifest.snapshotTime.slice(0, 13)}`]);
    expect(answers.code, answers.stderr).toBe(0);
    const lines = answers.stdout.trim().split('\n').map((line) => JSON.parse(line) as { question: string; snapshot: string; rows: unknown[] });
    expect(lines).toHaveLength(7);
    for (const line of lines) {
      expect(line.snapshot).toContain(goldKey(t).replace(/\/$/, ''));
      expect(line.rows.length, line.question).toBeGreaterThan(0);
    }
  });

  describe('trust (issue 14): only the stack’s own user gets in, and secrets stay secret', () => {
    const containerOf = (service: string) => stack!.getContainer(`${service}-1`).getId();
    const masterState = async () =>
      (await (await fetch(`http://127.0.0.1:${settings.SPARK_MASTER_WEBUI_PORT}/json/`)).json()) as {
        workers: { state: string }[];
        activeapps: { id: string; name: string }[];
      };
    const logsOf = async (container: string) => {
      const { stdout, stderr } = await exec('docker', ['logs', container], { maxBuffer: 1 << 26 });
      return `${stdout}${stderr}`;
    };

    it('Spark Connect refuses a request without the token or with a wrong one, and nothing runs; the right one works', async () => {
      await expectConnectRequiresToken(settings.SPARK_CONNECT_URL!, authorizedUrl(), s3, bucket);
    });

    it('a Spark process without the shared secret, on the stack’s own network, registers neither a worker nor an application', async () => {
      // The stack's own image and network: only the secret is missing (no properties file: plain Spark).
      const [master] = JSON.parse((await exec('docker', ['inspect', containerOf('spark-master')])).stdout) as {
        Image: string;
        NetworkSettings: { Networks: Record<string, unknown> };
      }[];
      const network = Object.keys(master!.NetworkSettings.Networks)[0]!;
      const intruder = async (program: string, args: string[]) =>
        (await exec('docker', ['run', '-d', '--network', network, '--user', '185:185', '--entrypoint', `/opt/spark/bin/${program}`, master!.Image, ...args])).stdout.trim();
      const intruders: string[] = [];
      try {
        intruders.push(await intruder('spark-class', ['org.apache.spark.deploy.worker.Worker', '--cores', '1', '--memory', '512m', 'spark://spark-master:7077']));
        intruders.push(
          await intruder('spark-submit', ['--master', 'spark://spark-master:7077', '--driver-memory', '512m', '--name', 'intruder',
            '--conf', 'spark.ui.enabled=false', '--class', 'org.apache.spark.sql.connect.service.SparkConnectServer', 'spark-internal']),
        );
        const unchanged = async () => {
          const state = await masterState();
          expect(state.workers.filter((w) => w.state === 'ALIVE')).toHaveLength(SCALE);
          expect(state.activeapps.map((a) => a.name)).not.toContain('intruder');
        };
        // Both reach the master (30-60 s of JVM start on a busy host) and are turned away by its SASL check.
        const deadline = Date.now() + 240_000;
        for (;;) {
          await unchanged();
          const logs = await Promise.all(intruders.map(logsOf));
          if (logs.every((log) => /Expected SaslMessage/.test(log))) break;
          if (Date.now() > deadline) throw new Error(`the intruders were never refused by authentication:\n${logs.map((l) => l.slice(-2000)).join('\n---\n')}`);
          await new Promise((r) => setTimeout(r, 2_000));
        }
        // A worker retries every few seconds: still none registered a little later.
        await new Promise((r) => setTimeout(r, 5_000));
        await unchanged();
      } finally {
        if (intruders.length > 0) await exec('docker', ['rm', '-f', ...intruders]).catch(() => undefined);
      }
    });

    it('the master runs no REST submission server, and its UI cannot kill an application', async () => {
      const master = containerOf('spark-master');
      expect(await logsOf(master)).not.toMatch(/Started REST server/);
      // Listening sockets of the master's container (state 0A in /proc/net/tcp*): the RPC port, not 6066.
      const { stdout } = await exec('docker', ['exec', master, 'cat', '/proc/net/tcp', '/proc/net/tcp6']);
      const listening = stdout
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields[3] === '0A')
        .map((fields) => parseInt(fields[1]!.split(':').pop()!, 16));
      expect(listening).toContain(7077);
      expect(listening).not.toContain(6066);

      await expectUiCannotKill(`http://127.0.0.1:${settings.SPARK_MASTER_WEBUI_PORT}`);
    });

    it("the pipeline's MinIO user (Spark's too) reads and writes its bucket, and no other; it cannot make buckets", async () => {
      await expectUserScopedToBucket(rootS3, s3, bucket, authorizedUrl());
    });

    it('no secret in any container’s docker inspect or process arguments, nor on a host command line; secret files owner-only', async () => {
      const containers = await projectContainers();
      expect(containers.length).toBe(3 + SCALE);
      // Every finding of every container at once, secrets blanked out.
      const hidden = (line: string) => secretValues.reduce((text, secret) => text.split(secret).join('<secret>'), line);
      const problems: string[] = [];
      for (const container of containers) {
        // The whole of docker inspect: environment, arguments, entrypoint, labels, mounts.
        const [inspected] = JSON.parse((await exec('docker', ['inspect', container], { maxBuffer: 1 << 26 })).stdout) as { Name: string }[];
        const name = inspected!.Name;
        if (leaks(stringsOf(inspected), secretValues).length > 0) problems.push(`${name}: docker inspect holds a secret`);
        // Every process inside (servers, executors): its arguments; and the secret files there, and who may read them.
        const { stdout } = await exec('docker', ['exec', container, 'bash', '-c',
          'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f" 2>/dev/null; echo; done; ' +
          'stat -c "%a %U %n" /run/secrets/* /opt/flight-radar/run/* /run/minio-keys/* 2>/dev/null || true']);
        const isMode = (line: string) => /^\d{3} \S+ \//.test(line);
        const args = stdout.split('\n').filter((line) => !isMode(line));
        const modes = stdout.split('\n').filter(isMode);
        if (!args.some((line) => /java|minio/.test(line))) problems.push(`${name}: no server process seen`);
        for (const line of leaks(args, secretValues)) problems.push(`${name}: a secret in the arguments of ${hidden(line)}`);
        if (modes.length === 0) problems.push(`${name}: no secret file seen`);
        for (const line of modes.filter((line) => !/^[4-7]00 (root|spark|minio) /.test(line))) problems.push(`${name}: readable by others: ${line}`);
      }
      // Host command lines sampled since before the stack started: its start, grant-bucket, the pipeline run, these tests.
      const lines = await commandLines.stop();
      expect(lines.size).toBeGreaterThan(10);
      for (const line of leaks(lines, secretValues)) problems.push(`host: a secret in the arguments of ${hidden(line)}`);
      expect(problems).toEqual([]);
    });
  });

  it('finishes a job whose worker container is killed in the middle of it', async () => {
    const spark = await SparkSession.builder().remote(authorizedUrl()).getOrCreate();
    try {
      const n = 60_000_000;
      // CPU-bound tasks with a tiny shuffle; both sums have a closed form (a sha2 hex digest has 64 characters).
      const job = spark
        .range(0, n, 1, 64)
        .agg(F.sum('id').alias('s'), F.sum(F.expr('length(sha2(cast(id AS string), 256))')).alias('chars'))
        .collect();
      const finished = job.then(() => Date.now());
      // Kill only once the Connect server's own UI lists the job as running.
      const connect = stack!.getContainer('spark-connect-1').getId();
      const jobRunning = async () => {
        const { stdout } = await exec('docker', ['exec', connect, 'bash', '-c',
          'ui=http://127.0.0.1:4040/api/v1/applications; app=$(curl -s $ui | grep -o "app-[0-9-]*" | head -1); curl -s "$ui/$app/jobs?status=running"']);
        return stdout.includes('"jobId"');
      };
      const deadline = Date.now() + 180_000;
      while (!(await jobRunning())) {
        if (Date.now() > deadline) throw new Error('the job never showed as running in the Connect server UI');
        await new Promise((r) => setTimeout(r, 500));
      }
      const killedAt = Date.now();
      await exec('docker', ['kill', stack!.getContainer('spark-worker-1').getId()]);
      const [row] = await job;
      expect(await finished).toBeGreaterThan(killedAt);
      expect(BigInt(String(row!.s))).toBe((BigInt(n) * BigInt(n - 1)) / 2n);
      expect(BigInt(String(row!.chars))).toBe(64n * BigInt(n));
    } finally {
      await spark.stop().catch(() => undefined);
    }
  });

  it('leaves no container, network or volume of its project behind', async () => {
    await removeEverything();
    expect(await projectContainers()).toEqual([]);
    const volumes = (await exec('docker', ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`])).stdout.trim();
    expect(volumes).toBe('');
  });
});
