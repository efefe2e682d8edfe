/**
 * Synthetic bronze for benchmarks: n flight rows like the extractor writes (same columns, same world
 * model), generated and uploaded as a stream, so 2 million rows cost no more memory than a thousand.
 * A small share are duplicates of an earlier id (newer time) and a few are malformed, as real bronze has.
 * It reports what it planted, so a test knows what silver must make of it without asking silver.
 */
import { isoSeconds } from '../../contracts/index.js';
import { bronzeHeader, bronzeRow } from './csv.js';
import { seededRandom } from '../sim/random.js';
import { flightFactory } from '../sim/world.js';
import { s3Client, StreamingObject, type S3Settings } from '../s3.js';

const idOf = (index: number) => (0x38000000 + index * 7).toString(16);

export interface SyntheticBronzeOptions {
  snapshotTime?: Date;
  duplicateShare?: number;
  malformedShare?: number;
}

export interface SyntheticBronze {
  key: string;
  /** Data rows written (the header not counted). */
  rows: number;
  bytes: number;
  /** Rows written with an unreadable latitude ('N/A'), duplicates included: what silver must quarantine. */
  malformedRows: number;
  /** Ids with at least one readable row: silver keeps exactly one row of each, the rest of their rows are duplicates. */
  readableIds: number;
}

export async function writeSyntheticBronze(
  nFlights: number,
  seed: number,
  s3: S3Settings,
  key: string,
  options: SyntheticBronzeOptions = {},
): Promise<SyntheticBronze> {
  const snapshotTime = options.snapshotTime ?? new Date(Date.UTC(2026, 10, 25, 7, 0, 0));
  const snapshot = isoSeconds(snapshotTime);
  const rand = seededRandom(seed);
  const factory = flightFactory(Math.floor(snapshotTime.getTime() / 1000));
  const out = new StreamingObject(s3Client(s3), s3.bucket, key);
  const duplicateShare = options.duplicateShare ?? 0.005;
  const malformedShare = options.malformedShare ?? 0.001;
  let rows = 0;
  let malformedRows = 0;
  // Flight i has the id of index i; a duplicate row repeats an earlier index's id with flight i's record.
  const readable = new Uint8Array(nFlights);
  let chunk = bronzeHeader();
  try {
    for (let i = 0; i < nFlights; i++) {
      const { record } = factory.next(rand);
      const malformed = rand() < malformedShare;
      if (malformed) record[1] = 'N/A';
      const writeRow = (index: number) => {
        chunk += bronzeRow(idOf(index), record, snapshot);
        rows++;
        if (malformed) malformedRows++;
        else readable[index] = 1;
      };
      writeRow(i);
      if (i > 0 && rand() < duplicateShare) writeRow(Math.floor(rand() * i));
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
  return { key, rows, bytes: out.bytes, malformedRows, readableIds: readable.reduce((sum, r) => sum + r, 0) };
}
