import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT, type SettingName, type Settings } from './config.js';

/**
 * The files through which the local stack's daemons get their configuration and secrets: written here, owner-only
 * from the first byte (never chmod-ed after the fact), so no secret is ever on a command line or in a readable file.
 */

/** A template placeholder without a value: a half-configured cluster must not start. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

/**
 * A Java properties value (what Spark's --properties-file reads, as UTF-8) that reads back as `value` byte for byte:
 * backslashes doubled, line breaks and tabs escaped, a leading blank escaped so the reader does not skip it.
 */
export function propertiesValue(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\f/g, '\\f')
    .replace(/^ /, '\\ ');
}

/**
 * `template` with every `${NAME}` outside comment lines replaced by `values[NAME]`, escaped for a properties file.
 * One pass with a replacer function: a value is never scanned again, so `$`, `&` or `${X}` inside it stay as they are.
 */
export function renderProperties(template: string, values: Record<string, string | undefined>): string {
  const missing = new Set<string>();
  const out = template
    .split('\n')
    .map((line) =>
      /^\s*#/.test(line)
        ? line
        : line.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
            const value = values[name];
            if (value === undefined || value === '') missing.add(name);
            return propertiesValue(value ?? '');
          }),
    )
    .join('\n');
  if (missing.size > 0) throw new TemplateError(`no value for ${[...missing].sort().join(', ')} (set it in config.ini or run make setup)`);
  return out;
}

/** Writes `text` to `path` through a temporary file created 0600 in a 0700 folder, then renames it into place. */
export function writeOwnerOnly(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, path);
}

/**
 * A secret's file under .stack/secrets/: its setting's name in lower case with dashes (MINIO_ROOT_USER ->
 * minio-root-user). The compose stack mounts these as compose secrets under the same names (/run/secrets/NAME),
 * where spark/scripts/render-conf.sh finds them by that rule.
 */
export const secretFile = (stackHome: string, name: SettingName) => join(stackHome, 'secrets', name.toLowerCase().replace(/_/g, '-'));

export interface StackFiles {
  /** Properties of the master and the workers: Spark's shared secret, REST submission and UI kill off. */
  daemonConf: string;
  /** Properties of the Spark Connect application: the same, plus S3A keys and the Connect token. */
  connectConf: string;
  /** MinIO reads its root keys from these (MINIO_ROOT_USER_FILE, MINIO_ROOT_PASSWORD_FILE). */
  minioRootUser: string;
  minioRootPassword: string;
}

export function stackFilePaths(stackHome: string): StackFiles {
  return {
    daemonConf: join(stackHome, 'conf', 'spark-daemons.conf'),
    connectConf: join(stackHome, 'conf', 'spark-defaults.conf'),
    minioRootUser: secretFile(stackHome, 'MINIO_ROOT_USER'),
    minioRootPassword: secretFile(stackHome, 'MINIO_ROOT_PASSWORD'),
  };
}

const SECURITY_TEMPLATE = join(PROJECT_ROOT, 'spark', 'conf', 'spark-security.conf.template');
const CONNECT_TEMPLATE = join(PROJECT_ROOT, 'spark', 'conf', 'spark-defaults.conf.template');

/**
 * Renders every file the local stack's daemons read. `placement` holds the values that depend on where the
 * Connect server runs (its bind address and port, the driver's host), given by the stack script.
 */
export function writeStackFiles(settings: Settings, placement: Record<string, string | undefined>): StackFiles {
  const required = ['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD', 'SPARK_CONNECT_TOKEN', 'SPARK_AUTHENTICATE_SECRET'] as const;
  const absent = required.filter((name) => !settings[name]);
  if (absent.length > 0) throw new TemplateError(`the local stack needs ${absent.join(', ')}: run make setup to generate them`);
  const values = { ...placement, ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v === undefined ? undefined : String(v)])) };
  const security = renderProperties(readFileSync(SECURITY_TEMPLATE, 'utf8'), values);
  const paths = stackFilePaths(settings.STACK_HOME);
  writeOwnerOnly(paths.daemonConf, security);
  writeOwnerOnly(paths.connectConf, `${security}\n${renderProperties(readFileSync(CONNECT_TEMPLATE, 'utf8'), values)}`);
  writeOwnerOnly(paths.minioRootUser, settings.MINIO_ROOT_USER!);
  writeOwnerOnly(paths.minioRootPassword, settings.MINIO_ROOT_PASSWORD!);
  return paths;
}

/** What the compose stack's containers read as compose secrets (docker-compose.yml `secrets:`). */
export const COMPOSE_SECRETS = [
  'MINIO_ROOT_USER',
  'MINIO_ROOT_PASSWORD',
  'MINIO_SECRET_KEY',
  'SPARK_CONNECT_TOKEN',
  'SPARK_AUTHENTICATE_SECRET',
] as const satisfies readonly SettingName[];

/**
 * Writes the compose stack's secrets, one owner-only file each, into `stackHome`/secrets/: the containers get
 * them as files (never as environment variables, which `docker inspect` shows), and .stack/compose.env holds none.
 */
export function writeComposeSecrets(values: Pick<Settings, (typeof COMPOSE_SECRETS)[number]>, stackHome: string): void {
  const absent = COMPOSE_SECRETS.filter((name) => !values[name]);
  if (absent.length > 0) throw new TemplateError(`the compose stack needs ${absent.join(', ')}: run make setup to generate them`);
  for (const name of COMPOSE_SECRETS) writeOwnerOnly(secretFile(stackHome, name), values[name]!);
}
