/**
 * Synthetic bronze for benchmarks: n flight rows like the extractor writes (same columns, same world
 * model), generated and uploaded as a stream, so 2 million rows cost no more memory than a thousand.
 * A small share are duplicates of an earlier id (newer time) and a few are malformed, as real bronze has.
 */
import { isoSeconds } from '../../contracts/index.js';
import { bronzeHeader, bronzeRow } from './csv.js';
import { seededRandom } from '../sim/random.js';
import { flightFactory } from '../sim/world.js';
import { s3Client, StreamingObject, type S3Settings } from '../s3.js';

export interface SyntheticBronzeOptions {
  snapshotTime?: Date;
  duplicateShare?: number;
  malformedShare?: number;
}

export async function writeSyntheticBronze(
  nFlights: number,
  seed: number,
  s3: S3Settings,
  key: string,
  options: SyntheticBronzeOptions = {},
): Promise<{ key: string; rows: number; bytes: number }> {
  const snapshotTime = options.snapshotTime ?? new Date(Date.UTC(2026, 10, 25, 7, 0, 0));
  const snapshot = isoSeconds(snapshotTime);
  const rand = seededRandom(seed);
  const factory = flightFactory(Math.floor(snapshotTime.getTime() / 1000));
  const out = new StreamingObject(s3Client(s3), s3.bucket, key);
  const duplicateShare = options.duplicateShare ?? 0.005;
  const malformedShare = options.malformedShare ?? 0.001;
  let rows = 0;
  let chunk = bronzeHeader();
  try {
    for (let i = 0; i < nFlights; i++) {
      const { record } = factory.next(rand);
      const id = (0x38000000 + i * 7).toString(16);
      if (rand() < malformedShare) record[1] = 'N/A';
      chunk += bronzeRow(id, record, snapshot);
      rows++;
      if (i > 0 && rand() < duplicateShare) {
        const dupId = (0x38000000 + Math.floor(rand() * i) * 7).toString(16);
        chunk += bronzeRow(dupId, record, snapshot);
        rows++;
      }
      if (chunk.length > 1 << 20) {
        await out.write(chunk);
        chunk = '';
      }
    }
    await out.write(chunk);
    await out.finish();
  } catch (error) {
    await out.abort();
    throw error;
  }
  return { key, rows, bytes: out.bytes };
}
