/**
 * The Spark jobs as the driver calls them: thin runners that read and write the paths of docs/SPEC.md §2 and run the
 * pure plans of silver.ts, gold.ts and answers/. Everything here is sent to the cluster over Spark Connect.
 */
import { AIRLINES_COLUMNS, AIRLINES_KEY, AIRPORTS_COLUMNS, AIRPORTS_KEY, BRONZE_COLUMNS, CSV_READ_OPTIONS } from '../contracts/index.js';
import { F, Observation, type DataFrame, type SparkSession } from '../spark/index.js';
import {
  classifyBronze,
  quarantinedFlights,
  silverAccounting,
  silverFlights,
  BRONZE_CSV_OPTIONS,
  BRONZE_SCHEMA_DDL,
  SILVER_SCHEMA_DDL,
} from './silver.js';
import type { Layout } from './layout.js';
import {
  AIRLINES_SCHEMA_DDL,
  AIRPORTS_SCHEMA_DDL,
  GOLD_SCHEMA_DDL,
  goldAccounting,
  goldFlights,
  type GoldReferences,
} from './gold.js';
import { answersPath, bronzePath, goldPath, quarantinePath, s3aPath, silverPath } from './paths.js';
import { countryLookupRows } from './reference/countries.js';
import { aircraftTypes } from './reference/aircraft-types.js';
import { airlineCountryRows } from './reference/airline-countries.js';
import { questionNamed, type Question } from './answers/index.js';
import { completeGold } from './answers/complete-gold.js';
import { answersTable, ANSWERS_TABLE_KEYS, questionRows } from './answers/table.js';
import { cacheFrame } from './cached-view.js';

export { layoutFor, type Layout } from './layout.js';
export { QUESTIONS, questionHelp, questionsFor, UnknownQuestionError, ALL } from './answers/index.js';
export type { Question } from './answers/index.js';

export interface SnapshotJobOptions {
  bucket: string;
  snapshotTime: Date;
  /** How the stage lays its input out (`layoutFor` the input's size; default spread, which suits any size). */
  layout?: Layout;
}

export interface GoldJobOptions extends SnapshotJobOptions {
  /** Object keys of the reference versions to join with (default: the current files, reference/*.csv). */
  reference?: { airports: string; airlines: string };
}

export interface SilverResult {
  bronzeRows: number;
  silverRows: number;
  quarantinedRows: number;
  duplicatesRemoved: number;
  silverPath: string;
  quarantinePath: string;
}

export interface GoldResult {
  silverRows: number;
  goldRows: number;
  missingOriginAirport: number;
  unknownOriginAirport: number;
  missingDestinationAirport: number;
  unknownDestinationAirport: number;
  unknownOriginCountry: number;
  unknownDestinationCountry: number;
  missingAirline: number;
  unknownAirline: number;
  unknownManufacturer: number;
  unknownAirlineCountry: number;
  flightsWithDistance: number;
  goldPath: string;
  /** The reference versions gold joined with (object keys), so the snapshot can be rebuilt from the same ones. */
  reference: { airports: string; airlines: string };
}

/** Row accounting that does not add up: the job's output must not be trusted. */
export class RowAccountingError extends Error {
  override name = 'RowAccountingError';
}

const asNumber = (value: unknown) => Number(value ?? 0);

function readCsv(spark: SparkSession, path: string, schemaDdl: string, options: Readonly<Record<string, string>>): DataFrame {
  let reader = spark.read.schema(schemaDdl);
  for (const [key, value] of Object.entries(options)) reader = reader.option(key, value);
  return reader.csv(path);
}

/** A CSV file Spark cannot read is most often one whose header is not the extractor's: say what is expected. */
function explainCsvReadError(error: unknown, what: string, expected: Array<[path: string, columns: readonly string[]]>): unknown {
  if (!(error instanceof Error) || !/FAILED_READ_FILE|CSV header does not conform/i.test(error.message)) return error;
  const headers = expected.map(([path, columns]) => `${path}: its header must be exactly: ${columns.join(',')}`).join('; ');
  return new Error(`${what}: ${error.message.split('\n')[0]} (${headers})`, { cause: error });
}

/** Reference CSVs are read like bronze: the header must name the columns in order (enforceSchema=false). */
const REFERENCE_CSV_OPTIONS: Readonly<Record<string, string>> = { ...CSV_READ_OPTIONS, enforceSchema: 'false' };

/** The plans a runner writes; tests swap one for a plan that loses rows, to prove the accounting catches it. */
export interface SilverPlans {
  silverFlights: typeof silverFlights;
  quarantinedFlights: typeof quarantinedFlights;
}
export interface GoldPlans {
  goldFlights: typeof goldFlights;
}

const rowCount = () => F.count(F.lit(1)).alias('rows');
const observedRows = (observation: Observation) => asNumber(observation.get().rows);

/**
 * Bronze CSV of a snapshot → silver Parquet + quarantine Parquet, with the row accounting. The counts are
 * observed while the two outputs are written (no pass of their own): the classification's counts and the rows
 * each write wrote must agree, so a row lost anywhere between bronze and the files fails the stage.
 */
export async function runSilver(
  spark: SparkSession,
  options: SnapshotJobOptions,
  plans: SilverPlans = { silverFlights, quarantinedFlights },
): Promise<SilverResult> {
  const { bucket, snapshotTime } = options;
  const source = bronzePath(bucket, snapshotTime);
  const bronze = readCsv(spark, source, BRONZE_SCHEMA_DDL, BRONZE_CSV_OPTIONS);
  // One partition: the de-duplication window needs no shuffle, and each write is a single job.
  const classified = classifyBronze(options.layout === 'one partition' ? bronze.coalesce(1) : bronze);
  const [accounting, quarantineRead, silverWritten, quarantineWritten] = [new Observation(), new Observation(), new Observation(), new Observation()];
  const paths = { silverPath: silverPath(bucket, snapshotTime), quarantinePath: quarantinePath(bucket, snapshotTime) };
  // The two writes run at once: each parses the bronze file in a single task (multi-line CSV cannot be split),
  // so together they use both cores instead of parsing twice in a row.
  const writes = await Promise.allSettled([
    plans
      .silverFlights(classified.observe(accounting, ...silverAccounting()))
      .observe(silverWritten, rowCount())
      .write.mode('overwrite')
      .parquet(paths.silverPath),
    // Observing the bronze rows the quarantine write reads also keeps its filter above the projection that
    // computes each row's reason once: Spark pushes no filter below an observation, and a pushed-down filter
    // would repeat every rule's parsing inline (a third of this write's time at 2,000,000 rows).
    plans
      .quarantinedFlights(classified.observe(quarantineRead, rowCount()))
      .observe(quarantineWritten, rowCount())
      .write.mode('overwrite')
      .parquet(paths.quarantinePath),
  ]);
  for (const write of writes) if (write.status === 'rejected') throw explainCsvReadError(write.reason, 'silver: cannot read bronze', [[source, BRONZE_COLUMNS]]);
  const counts = accounting.get();
  const result: SilverResult = {
    bronzeRows: asNumber(counts.bronze_rows),
    silverRows: asNumber(counts.silver_rows),
    quarantinedRows: asNumber(counts.quarantined_rows),
    duplicatesRemoved: asNumber(counts.duplicates_removed),
    ...paths,
  };
  const [silverRows, quarantinedRows, quarantineBronzeRows] = [observedRows(silverWritten), observedRows(quarantineWritten), observedRows(quarantineRead)];
  if (
    quarantineBronzeRows !== result.bronzeRows ||
    silverRows !== result.silverRows ||
    quarantinedRows !== result.quarantinedRows ||
    result.bronzeRows !== result.silverRows + result.quarantinedRows + result.duplicatesRemoved
  ) {
    throw new RowAccountingError(
      `silver ${snapshotTime.toISOString()}: bronze ${result.bronzeRows} (read for quarantine ${quarantineBronzeRows}) ≠ silver ${result.silverRows} (written ${silverRows}) + ` +
        `quarantined ${result.quarantinedRows} (written ${quarantinedRows}) + duplicates ${result.duplicatesRemoved}`,
    );
  }
  return result;
}

/** The small reference tables built in TypeScript, as DataFrames on the cluster. */
export function referenceFrames(spark: SparkSession): Omit<GoldReferences, 'airports' | 'airlines'> {
  return {
    countries: spark.createDataFrame(countryLookupRows().map((r) => ({ ...r })), 'country_key STRING, country_iso STRING, country_name STRING, continent STRING'),
    aircraftTypes: spark.createDataFrame(aircraftTypes(), 'designator STRING, manufacturer STRING, model STRING'),
    airlineCountries: spark.createDataFrame(airlineCountryRows().map((r) => ({ ...r })), 'airline_icao STRING, airline_country STRING'),
  };
}

/**
 * Silver Parquet of a snapshot + reference CSVs → gold Parquet; every silver flight is kept and the unknowns
 * counted. The silver rows read and the gold rows written, and the unknown counts, are observed in the write's
 * own job: gold rows ≠ silver rows fails the stage.
 */
export async function runGold(spark: SparkSession, options: GoldJobOptions, plans: GoldPlans = { goldFlights }): Promise<GoldResult> {
  const { bucket, snapshotTime } = options;
  const reference = options.reference ?? { airports: AIRPORTS_KEY, airlines: AIRLINES_KEY };
  const [airportsPath, airlinesPath] = [s3aPath(bucket, reference.airports), s3aPath(bucket, reference.airlines)];
  const silver = spark.read.schema(SILVER_SCHEMA_DDL).parquet(silverPath(bucket, snapshotTime));
  const refs: GoldReferences = {
    airports: readCsv(spark, airportsPath, AIRPORTS_SCHEMA_DDL, REFERENCE_CSV_OPTIONS),
    airlines: readCsv(spark, airlinesPath, AIRLINES_SCHEMA_DDL, REFERENCE_CSV_OPTIONS),
    ...referenceFrames(spark),
  };
  const path = goldPath(bucket, snapshotTime);
  const [silverRead, written] = [new Observation(), new Observation()];
  // The airline-country fallback reads silver on its own, so the observation of silver's rows sits once in the plan.
  await plans
    .goldFlights(silver.observe(silverRead, rowCount()), refs, options.layout, silver)
    .observe(written, ...goldAccounting())
    .write.mode('overwrite')
    .parquet(path)
    .catch((error: unknown) => {
      throw explainCsvReadError(error, 'gold: cannot read reference data', [[airportsPath, AIRPORTS_COLUMNS], [airlinesPath, AIRLINES_COLUMNS]]);
    });
  const silverRows = observedRows(silverRead);
  const c = written.get();
  const result: GoldResult = {
    silverRows,
    goldRows: asNumber(c.gold_rows),
    missingOriginAirport: asNumber(c.missing_origin_airport),
    unknownOriginAirport: asNumber(c.unknown_origin_airport),
    missingDestinationAirport: asNumber(c.missing_destination_airport),
    unknownDestinationAirport: asNumber(c.unknown_destination_airport),
    unknownOriginCountry: asNumber(c.unknown_origin_country),
    unknownDestinationCountry: asNumber(c.unknown_destination_country),
    missingAirline: asNumber(c.missing_airline),
    unknownAirline: asNumber(c.unknown_airline),
    unknownManufacturer: asNumber(c.unknown_manufacturer),
    unknownAirlineCountry: asNumber(c.unknown_airline_country),
    flightsWithDistance: asNumber(c.with_distance),
    goldPath: path,
    reference,
  };
  if (result.goldRows !== silverRows) {
    throw new RowAccountingError(`gold ${snapshotTime.toISOString()}: ${result.goldRows} gold rows written for ${silverRows} silver rows read`);
  }
  return result;
}

export type AnswerRow = Record<string, string | number | boolean | null>;

/** Plain JSON values: Spark longs arrive as bigint, which JSON cannot print. */
export function plainRow(row: Record<string, unknown>, columns: readonly string[]): AnswerRow {
  const out: AnswerRow = {};
  for (const c of columns) {
    const v = row[c];
    out[c] = typeof v === 'bigint' ? Number(v) : v === undefined ? null : (v as AnswerRow[string]);
  }
  return out;
}

export interface OpenedGold {
  gold: DataFrame;
  /** Drops the in-memory copy, if one was made. */
  close(): Promise<void>;
}

/**
 * The gold snapshot at `goldPathOfSnapshot`, with whatever the answers need and an older snapshot lacks derived
 * now. With `cache`, the completed snapshot is read once into the cluster's memory, so several questions in a
 * row do not each re-read it and re-derive its columns.
 */
export async function openGold(spark: SparkSession, goldPathOfSnapshot: string, options: { cache?: boolean } = {}): Promise<OpenedGold> {
  const raw = spark.read.parquet(goldPathOfSnapshot);
  const gold = completeGold(raw, await raw.columns(), referenceFrames(spark));
  if (!options.cache) return { gold, close: async () => undefined };
  const cached = await cacheFrame(spark, gold, 'gold_snapshot');
  return { gold: cached.frame, close: cached.release };
}

/** Runs one question's plan on an opened gold snapshot and returns its rows as plain JSON values. */
export async function answer(question: Question, gold: DataFrame): Promise<AnswerRow[]> {
  return (await question.plan(gold).collect()).map((row) => plainRow(row, question.columns));
}

/** Runs one question on the gold snapshot at `goldPathOfSnapshot` and returns its rows. */
export async function runAnswer(spark: SparkSession, question: string | Question, goldPathOfSnapshot: string): Promise<AnswerRow[]> {
  const q = typeof question === 'string' ? questionNamed(question) : question;
  return answer(q, (await openGold(spark, goldPathOfSnapshot)).gold);
}

export interface AnswersTableOptions extends SnapshotJobOptions {
  /**
   * Gold was just written by `runGold`, so it has every column with the types of GOLD_SCHEMA_DDL: it is read with
   * that schema (no Spark job opens a footer to learn it) and needs no completing. Otherwise (an older
   * snapshot) its schema is read and what it lacks is derived, as `openGold` does.
   */
  goldJustWritten?: boolean;
}

/**
 * The seven answers of a written gold snapshot, as one small table next to it (one Parquet file, one job).
 * Called after gold is written; its `_SUCCESS` marks the table complete.
 */
export async function runAnswersTable(spark: SparkSession, options: AnswersTableOptions): Promise<{ answersPath: string }> {
  const { bucket, snapshotTime } = options;
  const path = answersPath(bucket, snapshotTime);
  const snapshotGold = goldPath(bucket, snapshotTime);
  const gold = options.goldJustWritten ? spark.read.schema(GOLD_SCHEMA_DDL).parquet(snapshotGold) : (await openGold(spark, snapshotGold)).gold;
  await answersTable(gold, snapshotTime, options.layout ?? 'spread').write.mode('overwrite').parquet(path);
  return { answersPath: path };
}

/** Where one snapshot's answers come from in a trend: its answers table, or its gold when it has none. */
export interface TrendSource {
  snapshotTime: Date;
  goldPath: string;
  answersPath?: string;
}

/**
 * One question over many snapshots in a single query: the stored answers tables read together, unioned with the
 * question's plan over the gold of any snapshot without a table. Returns the rows per snapshot time (ms), each in
 * its answer's order.
 */
export async function runTrend(spark: SparkSession, question: Question, sources: readonly TrendSource[]): Promise<Map<number, AnswerRow[]>> {
  const keys = [...ANSWERS_TABLE_KEYS, ...question.columns].map((c) => F.col(c));
  const stored = sources.flatMap((s) => s.answersPath ?? []);
  const frames: DataFrame[] = stored.length > 0 ? [spark.read.parquet(...stored).filter(F.col('question').eq(F.lit(question.name))).select(...keys)] : [];
  for (const source of sources.filter((s) => !s.answersPath)) {
    const { gold } = await openGold(spark, source.goldPath);
    frames.push(questionRows(question, question.plan(gold), source.snapshotTime));
  }
  const byTime = new Map<number, AnswerRow[]>(sources.map((s) => [s.snapshotTime.getTime(), []]));
  if (frames.length === 0) return byTime;
  const all = frames.reduce((a, b) => a.unionByName(b)).orderBy(F.col('snapshot_time').asc(), F.col('position').asc());
  for (const row of await all.collect()) byTime.get((row.snapshot_time as Date).getTime())?.push(plainRow(row, question.columns));
  return byTime;
}
