import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, SECRET_NAMES, type SettingName } from '../../driver/config.js';
import { COMPOSE_SECRETS, secretFile } from '../../driver/stack-files.js';

const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const template = readFileSync(join(PROJECT_ROOT, 'spark/conf/spark-defaults.conf.template'), 'utf8');
const securityTemplate = readFileSync(join(PROJECT_ROOT, 'spark/conf/spark-security.conf.template'), 'utf8');
const dockerfile = readFileSync(join(PROJECT_ROOT, 'spark/Dockerfile'), 'utf8');
const entrypoint = readFileSync(join(PROJECT_ROOT, 'spark/docker-entrypoint.sh'), 'utf8');
const localStack = readFileSync(join(PROJECT_ROOT, 'spark/scripts/stack.sh'), 'utf8');

const published = (service: string): string[] => compose.services[service].ports ?? [];

describe('docker-compose.yml', () => {
  it('has the topology of the local stack, published on the settings’ ports at 127.0.0.1 only', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['minio', 'spark-master', 'spark-worker', 'spark-connect']),
    );
    // Host ports come from .stack/compose.env (the settings); unset, Docker picks a free one.
    expect(published('minio')).toEqual(['127.0.0.1:${MINIO_PORT:-}:9000', '127.0.0.1:${MINIO_CONSOLE_PORT:-}:9001']);
    expect(published('spark-master')).toEqual(['127.0.0.1:${SPARK_MASTER_PORT:-}:7077', '127.0.0.1:${SPARK_MASTER_WEBUI_PORT:-}:8080']);
    expect(published('spark-connect')).toEqual(['127.0.0.1:${SPARK_CONNECT_PORT:-}:15002']);
    for (const service of Object.keys(compose.services)) {
      for (const port of published(service)) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('takes every image version from spark/versions.env, and the master advertises its service name', () => {
    const versions = readFileSync(join(PROJECT_ROOT, 'spark/versions.env'), 'utf8');
    const text = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
    // The project's own images are named by their inputs (spark/scripts/image-env.sh, tests/unit/image-env.test.ts).
    const ownImages = ['SPARK_IMAGE', 'MINIO_IMAGE'];
    for (const [, name] of text.matchAll(/\$\{([A-Z_]+(?:VERSION|IMAGE))[}:]/g)) {
      if (!ownImages.includes(name!)) expect(versions).toMatch(new RegExp(`^${name}=`, 'm'));
    }
    expect(compose.services['spark-master'].image).toMatch(/^\$\{SPARK_IMAGE:\?/);
    expect(compose.services.minio.image).toMatch(/^\$\{MINIO_IMAGE:\?/);
    for (const file of [dockerfile, readFileSync(join(PROJECT_ROOT, 'spark/minio.Dockerfile'), 'utf8')]) {
      expect(file).not.toMatch(/^FROM [a-z]+[/:]/m); // bases are build args, never hard-coded
    }
    expect(compose.services['spark-master'].environment.SPARK_MASTER_HOST).toBe('spark-master');
    expect(entrypoint).not.toContain('--host 0.0.0.0');
  });

  it('lets spark-worker scale: no fixed container name, no host port', () => {
    const worker = compose.services['spark-worker'];
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.environment.SPARK_MASTER_URL).toBe('spark://spark-master:7077');
  });

  it('configures Spark from the same templates as the local stack, with every placeholder provided', () => {
    // Both sides render spark/conf/spark-security.conf.template (every Spark process) and
    // spark-defaults.conf.template (the Connect server); neither carries Spark keys of its own.
    for (const name of ['spark-security.conf.template', 'spark-defaults.conf.template']) expect(dockerfile).toContain(`spark/conf/${name}`);
    expect(entrypoint).toMatch(/master\)\n\s+render_conf spark-security\.conf\.template\n/);
    expect(entrypoint).toMatch(/worker\)\n\s+render_conf spark-security\.conf\.template\n/);
    expect(entrypoint).toMatch(/connect\)\n\s+render_conf spark-security\.conf\.template spark-defaults\.conf\.template\n/);
    expect(localStack).toContain('cli stack-files'); // driver/stack-files.ts renders the same templates
    expect(`${entrypoint}\n${localStack}`).not.toMatch(/--conf\s+spark\./);

    const placeholders = (text: string) =>
      new Set(
        text
          .split('\n')
          .filter((line) => !line.trim().startsWith('#'))
          .flatMap((line) => [...line.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!)),
      );
    // A placeholder is the service's environment variable, or its compose secret (render-conf.sh reads both).
    const provided = (service: string) => [
      ...Object.keys(compose.services[service].environment),
      ...(compose.services[service].secrets as string[]).map((file) => file.toUpperCase().replace(/-/g, '_')),
    ];
    for (const name of placeholders(`${securityTemplate}\n${template}`)) expect(provided('spark-connect'), `spark-connect must set ${name}`).toContain(name);
    for (const service of ['spark-master', 'spark-worker']) {
      for (const name of placeholders(securityTemplate)) expect(provided(service), `${service} must set ${name}`).toContain(name);
    }
    for (const key of ['fs.s3a.committer.name', 'PathOutputCommitProtocol', 'BindingParquetOutputCommitter', 'path.style.access', 'endpoint.region']) {
      expect(template).toContain(key);
    }
  });

  it('gives containers their secrets as files only: no secret in an environment, every compose secret a .stack/secrets file', () => {
    const text = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
    for (const name of [...SECRET_NAMES, 'MINIO_ROOT_USER']) expect(text, name).not.toMatch(new RegExp(`\\$\\{${name}\\b`));
    for (const [service, definition] of Object.entries(compose.services) as [string, { environment?: Record<string, unknown> }][]) {
      for (const name of Object.keys(definition.environment ?? {})) expect(SECRET_NAMES, `${service}: ${name}`).not.toContain(name as SettingName);
    }
    // Each declared secret is the file driver/stack-files.ts writes for a setting (under SECRETS_DIR).
    // host-ca is no credential: the host's trusted certificates, for the image builds only (spark/scripts/image-env.sh).
    const { 'host-ca': hostCa, ...credentials } = compose.secrets as Record<string, { file: string }>;
    expect(hostCa?.file).toMatch(/^\$\{HOST_CA_BUNDLE:\?/);
    for (const [service, definition] of Object.entries(compose.services) as [string, { secrets?: string[] }][]) {
      expect(definition.secrets ?? [], service).not.toContain('host-ca');
    }
    const declared = Object.entries(credentials);
    expect(declared.map(([name]) => name).sort()).toEqual(COMPOSE_SECRETS.map((name) => secretFile('', name).split('/').pop()).sort());
    for (const [name, { file }] of declared) expect(file).toMatch(new RegExp(`^\\$\\{SECRETS_DIR:\\?[^}]*\\}/${name}$`));
    expect(compose.services.minio.secrets).toEqual(['minio-root-user', 'minio-root-password']);
  });
});
