import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cronParser from 'cron-parser';
import { parse as parseIni } from 'ini';
import { z } from 'zod';
import type { S3Settings } from '../extract/s3.js';
import type { ExtractSettings } from '../extract/settings.js';
import { STACK_KINDS } from './stack-kind.js';
import { parseChannelUrl } from '../spark/connect-url.js';

/** The repository root: config.ini and the git-ignored .stack/ folder are found from here. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();
const port = z.coerce.number().int().min(1).max(65535);
const httpUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' });
const jvmMemory = z.string().regex(/^\d+[mg]$/, 'a JVM memory size such as 2g or 512m');
const hostPortUrl = (scheme: string) =>
  z.string().regex(new RegExp(`^${scheme}://[^/:]+:\\d+(/.*)?$`), `a ${scheme}://host:port URL`);
/** Node timers fire at once for anything longer than 2^31-1 ms (about 24.8 days): refuse it instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const timeoutMs = positiveInt.max(MAX_TIMER_MS, `at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest a Node timer waits)`);
/** The Spark client's own parser: whatever it would refuse at the first query is refused at start-up. */
const connectUrl = z.string().superRefine((url, ctx) => {
  try {
    parseChannelUrl(url);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});
/** node-schedule's own parser (cron-parser), 5 fields or 6 with seconds first. */
const cronExpression = z.string().superRefine((cron, ctx) => {
  const fields = cron.trim().split(/\s+/).length;
  let problem: string | undefined = fields === 5 || fields === 6 ? undefined : `${fields} fields`;
  if (!problem) {
    try {
      cronParser.parseExpression(cron);
    } catch (error) {
      problem = (error as Error).message;
    }
  }
  if (problem) ctx.addIssue({ code: 'custom', message: `a cron expression such as '0 * * * *' (minute hour day month weekday, optional seconds first): ${problem}` });
});
/**
 * A secret may hold any character a file can keep: quotes, `&`, `\`, `$`, inner spaces, non-ASCII. Not line
 * breaks or control characters (a properties or env file line ends there), nor leading or trailing blanks
 * (config.ini and Spark's properties reader trim them, so the server would get another secret than the client).
 */
const secret = (minLength: number, hint: string) =>
  z
    .string()
    .min(minLength, `at least ${minLength} characters (${hint})`)
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'no line breaks or control characters')
    .refine((v) => v.trim() === v, 'no leading or trailing blanks');
const GENERATED = 'run `make setup` to generate local credentials';

/**
 * Every setting of the product, by the name it has in the environment and in config.ini (docs/SPEC.md §3).
 * This schema is the one place settings are defined; the shell side reads them through `cli.ts env`.
 */
export const SettingsSchema = z.object({
  FR24_BASE_URL: httpUrl.optional(),
  FR24_REQUEST_CAP: positiveInt.default(1500),
  FR24_CONCURRENCY: positiveInt.max(64).default(4),
  FR24_REQUEST_TIMEOUT_MS: timeoutMs.default(15_000),
  FR24_RETRIES: nonNegativeInt.max(20).default(4),
  FR24_MIN_CELL_DEG: z.coerce.number().positive().max(90).default(0.25),
  /** Feed requests per extract, retries included (the live world needs about 1.3 x flights / cap). */
  FR24_REQUEST_BUDGET: positiveInt.default(1000),
  /** The whole extract, crawl and reference data; at most what a Node timer accepts. */
  FR24_EXTRACT_DEADLINE_MS: timeoutMs.default(900_000),
  /** A snapshot with fewer flights than this share of the recent median fails as a collapsed world. */
  FR24_MIN_SHARE_OF_MEDIAN: z.coerce.number().min(0).max(1).default(0.3),
  MINIO_ENDPOINT: httpUrl.default('http://127.0.0.1:9000'),
  MINIO_CONSOLE_PORT: port.default(9001),
  /** The pipeline's and Spark's MinIO user: read and write on MINIO_BUCKET only (created by `make up`). */
  MINIO_ACCESS_KEY: z.string().min(3, `at least 3 characters (${GENERATED})`),
  MINIO_SECRET_KEY: secret(8, GENERATED),
  /** MinIO's root keys: used by `make up` only, to start the local MinIO and create the user above. */
  MINIO_ROOT_USER: z.string().min(3, `at least 3 characters (${GENERATED})`).optional(),
  MINIO_ROOT_PASSWORD: secret(8, GENERATED).optional(),
  MINIO_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (lower case, digits, dots, dashes)')
    .default('flights'),
  SPARK_CONNECT_URL: connectUrl.default('sc://127.0.0.1:15002'),
  SPARK_MASTER_URL: hostPortUrl('spark').default('spark://127.0.0.1:7077'),
  SPARK_MASTER_WEBUI_PORT: port.default(8080),
  SPARK_CONNECT_TIMEOUT_MS: timeoutMs.default(60_000),
  /** One unary Connect call (analysis, config, interrupt); at most what a Node timer accepts. */
  SPARK_CALL_TIMEOUT_MS: timeoutMs.default(120_000),
  /** Result-stream reattaches in a row without a response before a query fails. */
  SPARK_MAX_REATTACHES: nonNegativeInt.max(100).default(5),
  /** The bearer token Spark Connect requires of every request; gRPC carries it as a header: printable ASCII. */
  SPARK_CONNECT_TOKEN: secret(16, GENERATED)
    .regex(/^[\x20-\x7e]*$/, 'printable ASCII only (it travels in an HTTP/2 header)')
    .optional(),
  /** Spark's shared RPC secret (spark.authenticate) for the master, workers, executors and the Connect driver. */
  SPARK_AUTHENTICATE_SECRET: secret(16, GENERATED).optional(),
  SPARK_WORKER_CORES: positiveInt.default(2),
  SPARK_WORKER_MEMORY: jvmMemory.default('4g'),
  SPARK_EXECUTOR_MEMORY: jvmMemory.default('2g'),
  SPARK_DRIVER_MEMORY: jvmMemory.default('2g'),
  WEB_HOST: z.string().min(1).default('127.0.0.1'),
  WEB_PORT: port.default(8090),
  WEB_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  SCHEDULE_CRON: cronExpression.default('0 * * * *'),
  STAGE_RETRIES: nonNegativeInt.max(10).default(2),
  /** One stage, all its attempts: past it, its queries are interrupted and it fails naming what the stack lacks. */
  STAGE_DEADLINE_MS: timeoutMs.default(30 * 60_000),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  STACK_HOME: z.string().default(join(PROJECT_ROOT, '.stack')),
  // Unset or auto: docker when a Docker engine and compose v2 answer, else local (driver/stack-kind.ts); auto
  // lets the environment undo a kind fixed in config.ini.
  STACK: z.enum([...STACK_KINDS, 'auto']).optional(),
});

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingName = keyof Settings;
export const SETTING_NAMES = Object.keys(SettingsSchema.shape) as SettingName[];

/** Settings whose values are never printed, logged or put in an error: only their names are. */
export const SECRET_NAMES: readonly SettingName[] = [
  'MINIO_SECRET_KEY',
  'MINIO_ROOT_PASSWORD',
  'SPARK_CONNECT_TOKEN',
  'SPARK_AUTHENTICATE_SECRET',
];
/** What `make -s env` leaves out: the keys of the stack's own daemons, which no user command needs. */
const STACK_ONLY_NAMES: readonly SettingName[] = ['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD', 'SPARK_AUTHENTICATE_SECRET'];

/** The settings grouped by the part of the product that uses them. */
export interface Config {
  settings: Settings;
  fr24: ExtractSettings;
  minio: S3Settings;
  spark: {
    /** The URL to connect with: SPARK_CONNECT_URL plus `;token=` SPARK_CONNECT_TOKEN. Print SPARK_CONNECT_URL, never this. */
    connectUrl: string;
    masterUrl: string;
    masterWebUiPort: number;
    connectTimeoutMs: number;
    callTimeoutMs: number;
    maxReattaches: number;
  };
  schedule: { cron: string; stageRetries: number; stageDeadlineMs: number };
  /** The status page (`make serve`): loopback unless WEB_HOST says otherwise, and then only with WEB_TOKEN. */
  web: { host: string; port: number; token?: string };
  log: { level: Settings['LOG_LEVEL']; file: string };
  stackHome: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Source = 'environment' | 'config.ini' | '.stack/credentials.env';

interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** config.ini beside the repository root unless given; a missing file is fine. */
  iniPath?: string;
  /** Local credentials generated by `make setup`; used only for keys no other source sets. */
  credentialsPath?: string;
}

/** The file's string values; keys whose value is not a string (an ini [section], a bare key) are returned apart. */
function readKeyValues(
  path: string,
  parse: (text: string) => Record<string, unknown>,
): { values: Record<string, string>; notStrings: string[] } {
  const values: Record<string, string> = {};
  const notStrings: string[] = [];
  if (!existsSync(path)) return { values, notStrings };
  for (const [key, value] of Object.entries(parse(readFileSync(path, 'utf8')))) {
    if (typeof value === 'string') {
      if (value.trim() !== '') values[key] = value.trim();
    } else notStrings.push(key);
  }
  return { values, notStrings };
}

const parseEnvFile = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).replace(/^['"]|['"]$/g, '')]),
  );

/**
 * Resolves every setting (environment over config.ini over generated local credentials over defaults),
 * validates them all at once and throws one ConfigError that names every bad key and where it came from.
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const iniPath = options.iniPath ?? join(PROJECT_ROOT, 'config.ini');
  const { values: ini, notStrings: iniNotStrings } = readKeyValues(iniPath, (text) => parseIni(text));
  const stackHome = env.STACK_HOME || ini.STACK_HOME || join(PROJECT_ROOT, '.stack');
  const credentials = readKeyValues(options.credentialsPath ?? join(stackHome, 'credentials.env'), parseEnvFile).values;

  const raw: Record<string, string> = {};
  const sourceOf: Record<string, Source> = {};
  for (const [source, values] of [
    ['.stack/credentials.env', credentials],
    ['config.ini', ini],
    ['environment', env],
  ] as const) {
    for (const name of SETTING_NAMES) {
      const value = values[name];
      if (value !== undefined && value !== '') {
        raw[name] = value;
        sourceOf[name] = source;
      }
    }
  }
  const unknownIniKeys = Object.keys(ini).filter((key) => !(SETTING_NAMES as string[]).includes(key));

  const parsed = SettingsSchema.safeParse(raw);
  const problems = [
    ...unknownIniKeys.map((key) => `${key}: unknown key in ${iniPath} (known: ${SETTING_NAMES.join(', ')})`),
    // config.ini is flat (KEY = value): a [section] would otherwise hide its keys without a word.
    ...iniNotStrings.map((key) => `${key}: not a KEY = value line in ${iniPath} (sections and bare keys are not read)`),
  ];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      const shown = (SECRET_NAMES as string[]).includes(key)
        ? `a value of ${raw[key]?.length} characters`
        : JSON.stringify(raw[key]?.replace(/token=[^;]*/, 'token=***'));
      const from = sourceOf[key] ? ` (from ${sourceOf[key]}: ${shown})` : ' (not set)';
      problems.push(`${key}: ${issue.message}${from}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return toConfig(parsed.data);
}

/** The client sends a URL's token as `authorization: Bearer` (spark/transport); one given in the URL itself wins. */
function withToken(url: string, token: string | undefined): string {
  if (!token || /;token=/.test(url)) return url;
  const base = url.includes('/;') ? url : `${url.replace(/\/$/, '')}/`;
  return `${base};token=${encodeURIComponent(token)}`;
}

export function toConfig(s: Settings): Config {
  return {
    settings: s,
    fr24: {
      baseUrl: s.FR24_BASE_URL,
      requestCap: s.FR24_REQUEST_CAP,
      concurrency: s.FR24_CONCURRENCY,
      requestTimeoutMs: s.FR24_REQUEST_TIMEOUT_MS,
      retries: s.FR24_RETRIES,
      minCellDeg: s.FR24_MIN_CELL_DEG,
      bounds: { requestBudget: s.FR24_REQUEST_BUDGET, deadlineMs: s.FR24_EXTRACT_DEADLINE_MS },
      minShareOfMedian: s.FR24_MIN_SHARE_OF_MEDIAN,
    },
    minio: { endpoint: s.MINIO_ENDPOINT, accessKey: s.MINIO_ACCESS_KEY, secretKey: s.MINIO_SECRET_KEY, bucket: s.MINIO_BUCKET },
    spark: {
      connectUrl: withToken(s.SPARK_CONNECT_URL, s.SPARK_CONNECT_TOKEN),
      masterUrl: s.SPARK_MASTER_URL,
      masterWebUiPort: s.SPARK_MASTER_WEBUI_PORT,
      connectTimeoutMs: s.SPARK_CONNECT_TIMEOUT_MS,
      callTimeoutMs: s.SPARK_CALL_TIMEOUT_MS,
      maxReattaches: s.SPARK_MAX_REATTACHES,
    },
    schedule: { cron: s.SCHEDULE_CRON, stageRetries: s.STAGE_RETRIES, stageDeadlineMs: s.STAGE_DEADLINE_MS },
    web: { host: s.WEB_HOST, port: s.WEB_PORT, token: s.WEB_TOKEN },
    log: { level: s.LOG_LEVEL, file: join(s.STACK_HOME, 'logs', 'flight-radar.log') },
    stackHome: s.STACK_HOME,
  };
}

/**
 * Shell-sourceable KEY=value lines of the effective settings. `user` (`make -s env`): what a user needs to reach
 * the store and Spark Connect from their own terminal, secrets included; `public` (the stack scripts): no secret.
 */
export function formatEnv(settings: Settings, scope: 'user' | 'public' = 'user'): string {
  const hidden = scope === 'user' ? STACK_ONLY_NAMES : SECRET_NAMES;
  const quote = (value: string) => (/^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);
  return SETTING_NAMES.filter((name) => settings[name] !== undefined && !hidden.includes(name))
    .map((name) => `${name}=${quote(String(settings[name]))}`)
    .join('\n');
}

/** `text` with every secret setting's value replaced by `***` (for messages that may quote a URL, a command or a body). */
export function redact(text: string, settings: Partial<Settings>): string {
  const values = SECRET_NAMES.map((name) => settings[name]).filter((v): v is string => typeof v === 'string' && v.length > 0);
  // Longest first, so a secret that contains another is hidden whole.
  return values.sort((a, b) => b.length - a.length).reduce((out, value) => out.split(value).join('***'), text);
}
