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
  it('has the topology of the local stack', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['minio', 'spark-master', 'spark-worker', 'spark-connect', 'app']),
    );
    expect(published('minio')).toEqual(expect.arrayContaining(['127.0.0.1:9000:9000', '127.0.0.1:9001:9001']));
    expect(published('spark-master')).toEqual(expect.arrayContaining(['127.0.0.1:7077:7077', '127.0.0.1:8080:8080']));
    expect(published('spark-connect')).toContain('127.0.0.1:15002:15002');
    // Every published port binds to loopback only.
    for (const service of Object.keys(compose.services)) {
      for (const port of published(service)) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
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
    expect(localStack).toContain('render-conf.sh" "$ROOT/spark/conf/spark-defaults.conf.template"');
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
