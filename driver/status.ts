import type { Config } from './config.js';
import { recentManifests, type RunManifest } from './manifest.js';
import { s3Client } from '../extract/s3.js';
import { textTable } from './table.js';

const seconds = (ms?: number) => (ms === undefined ? '-' : (ms / 1000).toFixed(1));

function row(run: RunManifest): string[] {
  const { extract, silver, gold } = run.stages;
  return [
    run.runId,
    run.status + (run.partial ? ' (partial)' : ''),
    seconds(run.durationMs),
    String(extract.rowsOut ?? '-'),
    String(silver.rowsOut ?? '-'),
    String(silver.quarantinedRows ?? '-'),
    String(gold.rowsOut ?? '-'),
    `${seconds(extract.durationMs)}/${seconds(silver.durationMs)}/${seconds(gold.durationMs)}`,
    run.errors[0]?.slice(0, 60) ?? '',
  ];
}

/** `make status`: the recent runs, newest first, from their manifests in the bucket. */
export async function printRecentRuns(config: Config, limit = 10): Promise<number> {
  let recent: Awaited<ReturnType<typeof recentManifests>>;
  try {
    recent = await recentManifests(s3Client(config.minio), config.minio.bucket, limit);
  } catch (error) {
    process.stdout.write(`runs: unavailable (${error instanceof Error ? error.message : String(error)}; is MinIO up?)\n`);
    return 0;
  }
  const { runs, unreadable } = recent;
  for (const { key, reason } of unreadable) process.stdout.write(`runs: s3://${config.minio.bucket}/${key} is unreadable: ${reason}\n`);
  if (runs.length === 0) {
    process.stdout.write('runs: none yet (make run-main once=1 source=sim runs one)\n');
    return 0;
  }
  const header = ['RUN', 'STATUS', 'SECONDS', 'BRONZE', 'SILVER', 'QUARANTINED', 'GOLD', 'EXTRACT/SILVER/GOLD s', 'ERROR'];
  process.stdout.write(`\n${textTable(header, runs.map(row))}\n`);
  return 0;
}
