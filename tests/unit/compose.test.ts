import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../driver/config.js';

const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const template = readFileSync(join(PROJECT_ROOT, 'spark/conf/spark-defaults.conf.template'), 'utf8');
const dockerfile = readFileSync(join(PROJECT_ROOT, 'spark/Dockerfile'), 'utf8');
const entrypoint = readFileSync(join(PROJECT_ROOT, 'spark/docker-entrypoint.sh'), 'utf8');
const localStack = readFileSync(join(PROJECT_ROOT, 'spark/scripts/stack.sh'), 'utf8');

const published = (service: string): string[] => compose.services[service].ports ?? [];

describe('docker-compose.yml', () => {
  it('has the topology of the local stack, published on the settings’ ports at 127.0.0.1 only', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['minio', 'minio-bucket', 'spark-master', 'spark-worker', 'spark-connect']),
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

  it('configures Spark from the same template as the local stack, with every placeholder provided', () => {
    // Both sides render spark/conf/spark-defaults.conf.template; neither carries Spark keys of its own.
    expect(dockerfile).toContain('spark/conf/spark-defaults.conf.template');
    expect(entrypoint).toContain('render-conf.sh /opt/flight-radar/conf/spark-defaults.conf.template');
    expect(localStack).toContain('cli stack-files'); // driver/stack-files.ts renders the same template
    expect(`${entrypoint}\n${localStack}`).not.toMatch(/--conf\s+spark\./);

    const placeholders = new Set(
      template
        .split('\n')
        .filter((line) => !line.trim().startsWith('#'))
        .flatMap((line) => [...line.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1])),
    );
    const connectEnv = Object.keys(compose.services['spark-connect'].environment);
    for (const name of placeholders) expect(connectEnv, `spark-connect must set ${name}`).toContain(name);
    for (const key of ['fs.s3a.committer.name', 'PathOutputCommitProtocol', 'BindingParquetOutputCommitter', 'path.style.access', 'endpoint.region']) {
      expect(template).toContain(key);
    }
  });
});
