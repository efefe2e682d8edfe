/**
 * The storage layout of SPEC §2 in one place: every key and s3a:// path of a snapshot is derived here,
 * so the Spark jobs, the driver and `run-answers` agree on where data lives. The extractor keeps its own
 * bronze and reference keys (extract/ does not depend on jobs/); a unit test holds them equal.
 * All times are UTC; a snapshot is identified by its snapshot time (whole seconds).
 */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** YYYYMMDDHHMMSS of a UTC instant: the file-name stamp of every path of a run. */
export function stampOf(time: Date): string {
  return (
    `${time.getUTCFullYear()}${pad(time.getUTCMonth() + 1)}${pad(time.getUTCDate())}` +
    `${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}${pad(time.getUTCSeconds())}`
  );
}

/** `year=YYYY/month=MM/day=DD/hour=HH`: the Hive-style partition folders that let an analyst find data by path. */
export function hourPartition(time: Date): string {
  return `year=${time.getUTCFullYear()}/month=${pad(time.getUTCMonth() + 1)}/day=${pad(time.getUTCDate())}/hour=${pad(time.getUTCHours())}`;
}

export type Layer = 'bronze' | 'silver' | 'gold' | 'quarantine';

/** The key (inside the bucket) of a layer's output for a snapshot; Spark outputs are directories (trailing `/`). */
export function layerKey(layer: Layer, snapshotTime: Date): string {
  const base = `${layer}/flights/${hourPartition(snapshotTime)}/flights_${stampOf(snapshotTime)}`;
  return layer === 'bronze' ? `${base}.csv` : `${base}.parquet/`;
}

export const bronzeKey = (t: Date) => layerKey('bronze', t);
export const silverKey = (t: Date) => layerKey('silver', t);
export const goldKey = (t: Date) => layerKey('gold', t);
export const quarantineKey = (t: Date) => layerKey('quarantine', t);

/** `s3a://bucket/key` without a trailing slash (how Spark is given a directory). */
export function s3aPath(bucket: string, key: string): string {
  return `s3a://${bucket}/${key.replace(/\/$/, '')}`;
}

export const bronzePath = (bucket: string, t: Date) => s3aPath(bucket, bronzeKey(t));
export const silverPath = (bucket: string, t: Date) => s3aPath(bucket, silverKey(t));
export const goldPath = (bucket: string, t: Date) => s3aPath(bucket, goldKey(t));
export const quarantinePath = (bucket: string, t: Date) => s3aPath(bucket, quarantineKey(t));

export const AIRPORTS_KEY = 'reference/airports.csv';
export const AIRLINES_KEY = 'reference/airlines.csv';
export const airportsPath = (bucket: string) => s3aPath(bucket, AIRPORTS_KEY);
export const airlinesPath = (bucket: string) => s3aPath(bucket, AIRLINES_KEY);

/** `runs/YYYY/MM/DD/run_YYYYMMDDHHMMSS.json` (written by the driver). */
export function manifestKey(t: Date): string {
  return `runs/${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/run_${stampOf(t)}.json`;
}

/** The key prefix of every gold snapshot, and of the gold snapshots of one hour. */
export const GOLD_PREFIX = 'gold/flights/';
export const goldHourPrefix = (hour: Date) => `${GOLD_PREFIX}${hourPartition(hour)}/`;

/**
 * The seven answers of a snapshot, written by the gold stage next to gold: one small table per snapshot, so
 * `run-answers`, trends and the status page read answers without recomputing them from gold.
 */
export const ANSWERS_PREFIX = 'answers/';
export const answersKey = (t: Date) => `${ANSWERS_PREFIX}${hourPartition(t)}/answers_${stampOf(t)}.parquet/`;
export const answersPath = (bucket: string, t: Date) => s3aPath(bucket, answersKey(t));

const successKeyPattern = (prefix: string, name: string) =>
  new RegExp(`^${prefix}year=(\\d{4})/month=(\\d{2})/day=(\\d{2})/hour=(\\d{2})/${name}_(\\d{4})(\\d{2})(\\d{2})(\\d{2})(\\d{2})(\\d{2})\\.parquet/_SUCCESS$`);
const GOLD_SUCCESS_KEY = successKeyPattern(GOLD_PREFIX, 'flights');
const ANSWERS_SUCCESS_KEY = successKeyPattern(ANSWERS_PREFIX, 'answers');

/**
 * The snapshot time of a gold `_SUCCESS` marker key, or undefined for any other key (a file inside the
 * directory, a stray object, or a directory whose name disagrees with its hour partition).
 */
export const snapshotTimeOfGoldSuccessKey = (key: string) => snapshotTimeOfSuccessKey(GOLD_SUCCESS_KEY, key);
/** The same for the `_SUCCESS` marker of an answers table. */
export const snapshotTimeOfAnswersSuccessKey = (key: string) => snapshotTimeOfSuccessKey(ANSWERS_SUCCESS_KEY, key);

function snapshotTimeOfSuccessKey(pattern: RegExp, key: string): Date | undefined {
  const m = pattern.exec(key);
  if (!m) return undefined;
  const [, y, mo, d, h, sy, smo, sd, sh, smi, ss] = m;
  if (y !== sy || mo !== smo || d !== sd || h !== sh) return undefined;
  const time = new Date(Date.UTC(+sy, +smo - 1, +sd, +sh, +smi, +ss));
  return stampOf(time) === `${sy}${smo}${sd}${sh}${smi}${ss}` ? time : undefined;
}

/** A bad `at=` value; the message says what is expected. */
export class SnapshotArgumentError extends Error {
  override name = 'SnapshotArgumentError';
}

/** Parses `at=YYYY-MM-DDTHH` (UTC) into the start of that hour; rejects anything else with a clear message. */
export function parseAtHour(at: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/.exec(at.trim());
  const time = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4])) : undefined;
  if (!m || !time || Number.isNaN(time.getTime()) || time.getUTCMonth() !== +m[2] - 1 || time.getUTCDate() !== +m[3] || +m[4] > 23) {
    throw new SnapshotArgumentError(`at=${at} is not a UTC hour of the form YYYY-MM-DDTHH (for example at=2024-04-18T17)`);
  }
  return time;
}

/** The newest of the given snapshot times (optionally only those inside one hour), or undefined. */
export function newestSnapshot(times: Date[], hour?: Date): Date | undefined {
  const inHour = hour
    ? times.filter((t) => t.getTime() >= hour.getTime() && t.getTime() < hour.getTime() + 3_600_000)
    : times;
  return inHour.reduce<Date | undefined>((best, t) => (!best || t > best ? t : best), undefined);
}
