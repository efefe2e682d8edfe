/**
 * The storage layout (docs/SPEC.md §2): every object key of a snapshot, derived from its UTC snapshot time
 * (whole seconds), and read back from a key. The extractor writes under these keys, the jobs and the driver
 * read and list them.
 */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** YYYYMMDDHHMMSS of a UTC instant: the file-name stamp of every path of a run. */
export function stampOf(time: Date): string {
  return (
    `${time.getUTCFullYear()}${pad(time.getUTCMonth() + 1)}${pad(time.getUTCDate())}` +
    `${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}${pad(time.getUTCSeconds())}`
  );
}

/** The UTC instant of a YYYYMMDDHHMMSS stamp, or undefined when the text is not one (e.g. month 13). */
export function parseStamp(stamp: string): Date | undefined {
  if (!/^\d{14}$/.test(stamp)) return undefined;
  const part = (from: number, to: number) => Number(stamp.slice(from, to));
  const time = new Date(Date.UTC(part(0, 4), part(4, 6) - 1, part(6, 8), part(8, 10), part(10, 12), part(12, 14)));
  return !Number.isNaN(time.getTime()) && stampOf(time) === stamp ? time : undefined;
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

/** The reference files: fetched by the extractor when missing, read by gold. */
export const AIRPORTS_KEY = 'reference/airports.csv';
export const AIRLINES_KEY = 'reference/airlines.csv';

export type ReferenceName = 'airports' | 'airlines';
export const REFERENCE_KEY: Record<ReferenceName, string> = { airports: AIRPORTS_KEY, airlines: AIRLINES_KEY };
/**
 * Every accepted fetch of a reference file, never overwritten: `reference/versions/airports_YYYYMMDDHHMMSS.csv`
 * (the snapshot time of the run that fetched it). `reference/airports.csv` is a copy of the current version
 * whose object metadata (`version`) names it, so gold can record the exact version it joined with.
 */
export const referenceVersionKey = (what: ReferenceName, fetchedFor: Date) => `reference/versions/${what}_${stampOf(fetchedFor)}.csv`;
/** A fetch the checks refused (much smaller than the stored version, airports without coordinates), kept aside. */
export const referenceRejectedKey = (what: ReferenceName, fetchedFor: Date) => `reference/rejected/${what}_${stampOf(fetchedFor)}.csv`;

/** `runs/YYYY/MM/DD/run_YYYYMMDDHHMMSS.json` (written by the driver). */
export function manifestKey(t: Date): string {
  return `runs/${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/run_${stampOf(t)}.json`;
}

/** The key prefixes of every bronze file and silver snapshot. */
export const BRONZE_PREFIX = 'bronze/flights/';
export const SILVER_PREFIX = 'silver/flights/';

/** The key prefix of every gold snapshot, and of the gold snapshots of one hour. */
export const GOLD_PREFIX = 'gold/flights/';
export const goldHourPrefix = (hour: Date) => `${GOLD_PREFIX}${hourPartition(hour)}/`;

/**
 * The seven answers of a snapshot, written by the gold stage next to gold: one small table per snapshot, so
 * `run-answers`, trends and the status page read answers without recomputing them from gold.
 */
export const ANSWERS_PREFIX = 'answers/';
export const answersKey = (t: Date) => `${ANSWERS_PREFIX}${hourPartition(t)}/answers_${stampOf(t)}.parquet/`;

/**
 * The snapshot time of a gold `_SUCCESS` marker key, or undefined for any other key (a file inside the
 * directory, a stray object, or a directory whose name disagrees with its hour partition).
 */
export const snapshotTimeOfGoldSuccessKey = (key: string) => snapshotTimeOfKey(GOLD_PREFIX, 'flights', SUCCESS, key);
/** The same for the `_SUCCESS` markers of silver and of an answers table, and for a bronze file. */
export const snapshotTimeOfSilverSuccessKey = (key: string) => snapshotTimeOfKey(SILVER_PREFIX, 'flights', SUCCESS, key);
export const snapshotTimeOfAnswersSuccessKey = (key: string) => snapshotTimeOfKey(ANSWERS_PREFIX, 'answers', SUCCESS, key);
export const snapshotTimeOfBronzeKey = (key: string) => snapshotTimeOfKey(BRONZE_PREFIX, 'flights', '\\.csv', key);

const SUCCESS = '\\.parquet/_SUCCESS';

function snapshotTimeOfKey(prefix: string, name: string, ending: string, key: string): Date | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const [, partition, stamp] = new RegExp(`^(.+)/${name}_(\\d{14})${ending}$`).exec(key.slice(prefix.length)) ?? [];
  const time = stamp === undefined ? undefined : parseStamp(stamp);
  return time && hourPartition(time) === partition ? time : undefined;
}

/** A bad `at=` value; the message says what is expected. */
export class SnapshotArgumentError extends Error {
  override name = 'SnapshotArgumentError';
}

/** Parses `at=YYYY-MM-DDTHH` (UTC) into the start of that hour; rejects anything else with a clear message. */
export function parseAtHour(at: string): Date {
  const text = at.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/.exec(text);
  const time = m ? parseStamp(`${m.slice(1).join('')}0000`) : undefined;
  if (!time) throw new SnapshotArgumentError(`at=${at} is not a UTC hour of the form YYYY-MM-DDTHH (for example at=2024-04-18T17)`);
  return time;
}

/** The newest of the given snapshot times (optionally only those inside one hour), or undefined. */
export function newestSnapshot(times: readonly Date[], hour?: Date): Date | undefined {
  const inHour = hour ? times.filter((t) => t.getTime() >= hour.getTime() && t.getTime() < hour.getTime() + 3_600_000) : times;
  return inHour.reduce<Date | undefined>((best, t) => (!best || t > best ? t : best), undefined);
}
