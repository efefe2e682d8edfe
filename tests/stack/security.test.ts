import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT, SECRET_NAMES } from '../../driver/config.js';
import { s3Client } from '../../extract/s3.js';
import { make, makeWith, masterState } from '../support/stack.js';
import {
  expectConnectRequiresToken,
  expectUiCannotKill,
  expectUserScopedToBucket,
  failureOf,
  leaks,
  sampleCommandLines,
} from '../support/trust.js';

const exec = promisify(execFile);

/**
 * Issue 14 on real processes: who can reach the stack, and where its secrets are. The stack is brought up and
 * down here (the stack project runs files one after another).
 */
const config = loadConfig();
const settings = config.settings;
const stackHome = config.stackHome;
const secretValues = () => SECRET_NAMES.map((name) => loadConfig().settings[name]).filter((v): v is string => !!v);
const masterUi = `http://127.0.0.1:${settings.SPARK_MASTER_WEBUI_PORT}`;
const connectPort = Number(/:(\d+)/.exec(settings.SPARK_CONNECT_URL.slice(5))![1]);
const minioPort = Number(new URL(settings.MINIO_ENDPOINT).port);
const rootS3 = s3Client({ ...config.minio, accessKey: settings.MINIO_ROOT_USER!, secretKey: settings.MINIO_ROOT_PASSWORD! });
const appS3 = s3Client(config.minio);

/** Whether a process is this checkout's: it runs in it, or names its .stack/ (other checkouts on the host are not). */
function isOurs(pid: string, args: string): boolean {
  if (args.includes(stackHome)) return true;
  try {
    return `${readlinkSync(`/proc/${pid}/cwd`)}/`.startsWith(`${PROJECT_ROOT}/`);
  } catch {
    return false; // gone meanwhile
  }
}

/** Starts a Spark JVM without the stack's properties file (so without the shared secret); its own session. */
function sparkWithoutSecret(args: string[], log: string): ChildProcess {
  const env = { ...process.env, SPARK_HOME: join(stackHome, 'spark'), SPARK_LOCAL_IP: '127.0.0.1', SPARK_CONF_DIR: mkdtempSync(join(tmpdir(), 'fr-noconf-')) };
  const out = mkdtempSync(join(tmpdir(), 'fr-intruder-'));
  const child = spawn(join(stackHome, 'spark', 'bin', args[0]!), args.slice(1), {
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: out,
  });
  let text = '';
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  child.on('exit', () => writeFileSync(join(out, log), text));
  (child as ChildProcess & { log: () => string }).log = () => text;
  return child;
}
const logOf = (child: ChildProcess) => (child as ChildProcess & { log: () => string }).log();
const stopGroup = (child: ChildProcess) => {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Files under .stack/ outside the installed distributions (which hold no secret and are the same for everyone). */
function stackFiles(dir = stackHome): string[] {
  const skip = new Set(['spark', 's3a-jars', 'bin', 'go', 'proto', 'dl', 'spark.tmp']);
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return dir === stackHome && skip.has(entry.name) ? [] : stackFiles(path);
    return entry.isFile() ? [path] : [];
  });
}

afterAll(async () => {
  await make('down');
});

describe('trust: only the stack’s own user gets in, and secrets stay secret', () => {
  it('a port held by another program fails make up, naming the port and the program', async () => {
    await make('down');
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(minioPort, '127.0.0.1', resolve));
    try {
      const error = (await failureOf(make('up', 'scale=1'))) as { stderr?: string };
      expect(error?.stderr).toContain(`port ${minioPort}`);
      expect(error?.stderr).toMatch(/held by node \(pid \d+\)/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('make down never signals a pid the kernel gave to another program since', async () => {
    const bystander = spawn('sleep', ['120'], { detached: true, stdio: 'ignore' });
    // A pid file from an earlier boot or a crashed daemon: the pid now belongs to the bystander.
    writeFileSync(join(stackHome, 'run', 'master.pid'), `${bystander.pid} 1\n`, { mode: 0o600 });
    await make('down');
    expect(() => process.kill(bystander.pid!, 0)).not.toThrow();
    bystander.kill('SIGKILL');
  });

  it('two make up at once leave exactly one stack, with no secret on any command line meanwhile', async () => {
    const sampler = sampleCommandLines(isOurs);
    const results = await Promise.allSettled([make('up', 'scale=1'), make('up', 'scale=1')]);
    const lines = await sampler.stop();
    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : String((r.reason as { stderr?: string }).stderr ?? r.reason)))).toEqual(['ok', 'ok']);
    const { stdout } = await exec('ps', ['-eo', 'args']);
    const ours = stdout.split('\n').filter((line) => line.includes(stackHome));
    for (const role of ['deploy.master.Master', 'deploy.worker.Worker', 'SparkConnectServer', '/bin/minio server']) {
      expect(ours.filter((line) => line.includes(role)), role).toHaveLength(1);
    }
    const master = await masterState(`${masterUi}/json/`);
    expect(master.workers.filter((w) => w.state === 'ALIVE')).toHaveLength(1);
    expect(master.activeapps.filter((a) => a.name === 'Spark Connect server')).toHaveLength(1);
    expect(lines.size).toBeGreaterThan(10);
    expect(leaks(lines, secretValues())).toEqual([]);
  });

  it('Spark Connect refuses a request without the token or with a wrong one, and nothing runs', async () => {
    await expectConnectRequiresToken(`sc://127.0.0.1:${connectPort}`, config.spark.connectUrl, appS3, config.minio.bucket);
  });

  it('a Spark process without the shared secret can register neither a worker nor an application', async () => {
    const before = await masterState(`${masterUi}/json/`);
    const worker = sparkWithoutSecret(
      ['spark-class', 'org.apache.spark.deploy.worker.Worker', '--host', '127.0.0.1', '--webui-port', String(await freePort()),
        '--cores', '1', '--memory', '512m', settings.SPARK_MASTER_URL],
      'worker.log',
    );
    const app = sparkWithoutSecret(
      ['spark-submit', '--master', settings.SPARK_MASTER_URL, '--driver-memory', '512m', '--name', 'intruder',
        '--conf', 'spark.ui.enabled=false', '--conf', `spark.connect.grpc.binding.port=${await freePort()}`,
        '--class', 'org.apache.spark.sql.connect.service.SparkConnectServer', 'spark-internal'],
      'app.log',
    );
    try {
      // Both try to register for this long (a worker retries every few seconds, an application every 20 s).
      const deadline = Date.now() + 45_000;
      while (Date.now() < deadline) {
        const state = await masterState(`${masterUi}/json/`);
        expect(state.workers.filter((w) => w.state === 'ALIVE')).toHaveLength(before.workers.filter((w) => w.state === 'ALIVE').length);
        expect(state.activeapps.map((a) => a.name)).not.toContain('intruder');
        await new Promise((r) => setTimeout(r, 3000));
      }
      // They did try, and were turned away by authentication (not by a wrong address).
      expect(logOf(worker)).toMatch(/Connecting to master|Failed to connect to master/);
      expect(`${logOf(worker)}\n${logOf(app)}`).toMatch(/auth|SASL|Authentication/i);
    } finally {
      stopGroup(worker);
      stopGroup(app);
    }
  });

  it('the master has no REST submission server, and its UI cannot kill an application', async () => {
    const masterLog = readFileSync(join(stackHome, 'logs', 'master.log'), 'utf8');
    expect(masterLog).not.toMatch(/Started REST server/);
    const pid = readFileSync(join(stackHome, 'run', 'master.pid'), 'utf8').split(' ')[0];
    const { stdout } = await exec('ss', ['-Hltnp']);
    expect(stdout.split('\n').filter((l) => l.includes(`pid=${pid},`)).some((l) => /:6066\b/.test(l))).toBe(false);
    await expectUiCannotKill(masterUi);
  });

  it("the pipeline's MinIO user reads and writes its bucket, and no other; it cannot make buckets", async () => {
    await expectUserScopedToBucket(rootS3, appS3, config.minio.bucket, config.spark.connectUrl);
  });

  it('a pipeline run puts no secret on a command line, and every file under .stack/ that holds one is mode 0600', async () => {
    const sampler = sampleCommandLines(isOurs);
    await make('run-main', 'once=1', 'source=sim');
    const lines = await sampler.stop();
    expect(leaks(lines, secretValues())).toEqual([]);

    const secrets = secretValues();
    const holding = stackFiles().filter((path) => {
      const { size } = statSync(path);
      if (size > 4 << 20) return false;
      const text = readFileSync(path, 'latin1');
      return secrets.some((s) => text.includes(Buffer.from(s, 'utf8').toString('latin1')));
    });
    // The generated credentials and the daemons' configuration at least; every one of them owner-only.
    expect(holding.map((p) => relative(stackHome, p))).toEqual(
      expect.arrayContaining(['credentials.env', 'conf/spark-defaults.conf', 'conf/spark-daemons.conf', 'secrets/minio-root-password']),
    );
    for (const path of holding) expect(`${relative(stackHome, path)} ${(statSync(path).mode & 0o777).toString(8)}`).toBe(`${relative(stackHome, path)} 600`);
    // What the stack writes is owner-only whether or not it holds a secret today (logs, pid files, executor output).
    for (const folder of ['conf', 'secrets', 'run', 'logs', 'work']) {
      for (const path of stackFiles(join(stackHome, folder))) expect((statSync(path).mode & 0o077).toString(8), relative(stackHome, path)).toBe('0');
    }
  });

  it('secrets with & \\ $ " \' spaces (and non-ASCII where allowed) work end to end, and no output shows them', async () => {
    await make('down');
    const hostile = {
      MINIO_SECRET_KEY: `p&ss\\w0rd $HOME "q" 'y' z`,
      SPARK_CONNECT_TOKEN: `t&k\\n $PATH "a" 'b' \${X} end-of-token`,
      SPARK_AUTHENTICATE_SECRET: `s&c\\r $1 "ü" 'ß' ☃ \${SPARK_HOME} end`,
    };
    const env = { ...process.env, ...hostile };
    const sampler = sampleCommandLines(isOurs);
    try {
      await makeWith(env, 'up', 'scale=1');
      const doctor = await makeWith(env, 'doctor');
      const summary = JSON.parse(doctor.stdout.trim().split('\n').at(-1)!) as Record<string, string>;
      expect(summary).toMatchObject({ minio: 'ready', auth: 'token required', roundtrip: 'ok', committer: 'magic' });
      expect(leaks([doctor.stdout, doctor.stderr], Object.values(hostile))).toEqual([]);
      expect(leaks([(await makeWith(env, 'status')).stdout], Object.values(hostile))).toEqual([]);
    } finally {
      const lines = await sampler.stop();
      expect(leaks(lines, Object.values(hostile))).toEqual([]);
      // Back to the generated secrets (make up sets the user's secret to the configured one again).
      await make('down');
      await make('up', 'scale=1');
    }
  });
});
