import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatEnv, loadConfig, redact } from '../../driver/config.js';

const dir = mkdtempSync(join(tmpdir(), 'fr-config-'));
const noFile = join(dir, 'absent.ini');
const credentials = join(dir, 'credentials.env');
writeFileSync(credentials, 'MINIO_ACCESS_KEY=generated\nMINIO_SECRET_KEY=generated-secret\n');

describe('configuration', () => {
  it('takes the environment over config.ini over generated credentials, with defaults for the rest', () => {
    const ini = join(dir, 'config.ini');
    writeFileSync(ini, 'MINIO_BUCKET = from-ini\nMINIO_SECRET_KEY = ini-secret-123\nFR24_REQUEST_CAP = 900\n');
    const config = loadConfig({ env: { FR24_REQUEST_CAP: '1200' }, iniPath: ini, credentialsPath: credentials });
    expect(config.minio).toMatchObject({ accessKey: 'generated', secretKey: 'ini-secret-123', bucket: 'from-ini' });
    expect(config.fr24.requestCap).toBe(1200);
    expect(config.spark.connectUrl).toBe('sc://127.0.0.1:15002');
  });

  it('reports every bad key at once, naming where each value came from', () => {
    const ini = join(dir, 'bad.ini');
    writeFileSync(ini, 'MINIO_BUCKET = Not_A_Bucket\nFR24_REQUST_CAP = 5\n');
    let error: unknown;
    try {
      loadConfig({ env: { MINIO_ENDPOINT: 'not a url', FR24_REQUEST_CAP: '-3' }, iniPath: ini, credentialsPath: noFile });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of ['MINIO_ENDPOINT', 'FR24_REQUEST_CAP', 'MINIO_BUCKET', 'FR24_REQUST_CAP', 'MINIO_ACCESS_KEY', 'MINIO_SECRET_KEY']) {
      expect(problems).toContain(key);
    }
    expect(problems).toContain('from environment');
    expect(problems).toContain('from config.ini');
  });

  it('refuses a non-HTTP endpoint, a bad port and an ini [section] whose keys would be ignored', () => {
    const ini = join(dir, 'sections.ini');
    writeFileSync(ini, 'MINIO_BUCKET = flights\n[spark]\nSPARK_WORKER_CORES = 4\n');
    let error: unknown;
    try {
      loadConfig({
        env: { FR24_BASE_URL: 'ftp://127.0.0.1:21', SPARK_MASTER_WEBUI_PORT: '70000' },
        iniPath: ini,
        credentialsPath: credentials,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.find((p) => p.startsWith('FR24_BASE_URL'))).toContain('http');
    expect(problems.find((p) => p.startsWith('SPARK_MASTER_WEBUI_PORT'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('spark:'))).toContain('sections');
    expect(problems).toHaveLength(3);
  });

  it('refuses a bad SCHEDULE_CRON, a bad Spark Connect URL and timeouts beyond what a Node timer can wait, all at once', () => {
    let error: unknown;
    try {
      loadConfig({
        env: {
          SCHEDULE_CRON: '61 * * * *',
          SPARK_CONNECT_URL: 'sc://127.0.0.1:15002/;tokn=abc',
          STAGE_DEADLINE_MS: String(2 ** 31),
          FR24_REQUEST_TIMEOUT_MS: '1e12',
          SPARK_CONNECT_TIMEOUT_MS: '2147483647',
        },
        iniPath: noFile,
        credentialsPath: credentials,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/SCHEDULE_CRON: a cron expression .*\(from environment: "61 \* \* \* \*"\)/);
    expect(problems).toMatch(/SPARK_CONNECT_URL: unknown parameter 'tokn'/);
    expect(problems).toMatch(/STAGE_DEADLINE_MS: at most 2147483647 ms/);
    expect(problems).toMatch(/FR24_REQUEST_TIMEOUT_MS: at most 2147483647 ms/);
    expect(problems).not.toMatch(/SPARK_CONNECT_TIMEOUT_MS/); // the largest a timer accepts is fine
    for (const cron of ['every hour', '* * * *', '0 * * * * * *']) {
      expect(() => loadConfig({ env: { SCHEDULE_CRON: cron }, iniPath: noFile, credentialsPath: credentials }), cron).toThrow(/SCHEDULE_CRON/);
    }
    for (const cron of ['0 * * * *', '*/5 * * * * *', '15 3 * * 1-5']) {
      expect(loadConfig({ env: { SCHEDULE_CRON: cron }, iniPath: noFile, credentialsPath: credentials }).schedule.cron).toBe(cron);
    }
  });

  it('prints shell-sourceable lines that read back to the same settings', () => {
    const config = loadConfig({ env: { MINIO_SECRET_KEY: "it's secret", SPARK_CONNECT_URL: 'sc://127.0.0.1:1/;token=a b' }, iniPath: noFile, credentialsPath: credentials });
    const lines = formatEnv(config.settings);
    const back = Object.fromEntries(
      lines.split('\n').map((l) => {
        const [k, ...v] = l.split('=');
        const raw = v.join('=');
        return [k, raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw];
      }),
    );
    expect(back.MINIO_SECRET_KEY).toBe("it's secret");
    expect(back.SPARK_CONNECT_URL).toBe('sc://127.0.0.1:1/;token=a b');
    expect(back.MINIO_BUCKET).toBe('flights');
  });

  const secrets = {
    MINIO_SECRET_KEY: 'app-secret-&-$x',
    MINIO_ROOT_USER: 'root-user',
    MINIO_ROOT_PASSWORD: 'root-password-1',
    SPARK_CONNECT_TOKEN: 'token-0123456789abcdef',
    SPARK_AUTHENTICATE_SECRET: 'rpc-secret-0123456789',
  };

  it("prints the user's keys to reach the store and Connect, never the stack's own; scope=public prints no secret", () => {
    const { settings } = loadConfig({ env: secrets, iniPath: noFile, credentialsPath: credentials });
    const user = formatEnv(settings);
    expect(user).toContain('MINIO_SECRET_KEY=');
    expect(user).toContain('SPARK_CONNECT_TOKEN=token-0123456789abcdef');
    for (const hidden of ['root-password-1', 'rpc-secret-0123456789', 'MINIO_ROOT_USER']) expect(user).not.toContain(hidden);
    const pub = formatEnv(settings, 'public');
    for (const value of Object.values(secrets).filter((v) => v !== 'root-user')) expect(pub).not.toContain(value);
    expect(pub).toContain('MINIO_ACCESS_KEY=generated');
  });

  it('connects with the token from the settings, carried in the URL the client reads it from', () => {
    const token = 'tok;en with spaces & more';
    const { spark, settings } = loadConfig({ env: { SPARK_CONNECT_TOKEN: token, SPARK_CONNECT_URL: 'sc://127.0.0.1:15002/;user_id=me' }, iniPath: noFile, credentialsPath: credentials });
    expect(spark.connectUrl).toBe(`sc://127.0.0.1:15002/;user_id=me;token=${encodeURIComponent(token)}`);
    expect(settings.SPARK_CONNECT_URL).not.toContain('token');
    expect(loadConfig({ env: { SPARK_CONNECT_TOKEN: token }, iniPath: noFile, credentialsPath: credentials }).spark.connectUrl).toBe(
      `sc://127.0.0.1:15002/;token=${encodeURIComponent(token)}`,
    );
  });

  it('never echoes a rejected secret value, names the key, and redacts secrets from any text', () => {
    let error: unknown;
    try {
      loadConfig({ env: { MINIO_SECRET_KEY: 'short\n', SPARK_CONNECT_TOKEN: ' leading-blank-token-xyz', SPARK_AUTHENTICATE_SECRET: 'ünïcödé' }, iniPath: noFile, credentialsPath: credentials });
    } catch (e) {
      error = e;
    }
    const message = (error as ConfigError).message;
    expect(message).toContain('MINIO_SECRET_KEY');
    expect(message).toContain('SPARK_CONNECT_TOKEN: no leading or trailing blanks');
    expect(message).toContain('SPARK_AUTHENTICATE_SECRET');
    for (const value of ['short', 'leading-blank-token-xyz', 'ünïcödé']) expect(message).not.toContain(value);

    const text = `GET /?u=root-user&p=root-password-1 Bearer token-0123456789abcdef app-secret-&-$x rpc-secret-0123456789`;
    expect(redact(text, secrets)).toBe('GET /?u=root-user&p=*** Bearer *** *** ***');
  });
});
