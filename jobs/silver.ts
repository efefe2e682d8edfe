/**
 * Silver: bronze CSV rows → typed, de-duplicated flights, plus the rows that cannot be cleaned (quarantine).
 *
 * Every bronze row ends in exactly one of three places, so the counts reconcile:
 *   bronze rows = silver rows + quarantined rows + duplicates removed.
 * Parsing happens on Spark with try_cast, so a bad value becomes a quarantine reason, never a failed job
 * and never a silent null.
 */
import { BRONZE_COLUMNS, CSV_READ_OPTIONS } from '../contracts/index.js';
import { F, type Column, type DataFrame } from '../spark/index.js';

/** Spark's slot for a line the CSV reader cannot split into the header's fields. */
export const CORRUPT_RECORD_COLUMN = '_corrupt_record';

/** Every bronze field is read as a string: values are parsed on Spark, so failures can be named. */
export const BRONZE_SCHEMA_DDL = [...BRONZE_COLUMNS, CORRUPT_RECORD_COLUMN].map((c) => `${c} STRING`).join(', ');

/** CSV reader options for bronze files: the dialect, and what to do with a line that breaks it. */
export const BRONZE_CSV_OPTIONS: Readonly<Record<string, string>> = {
  ...CSV_READ_OPTIONS,
  mode: 'PERMISSIVE',
  // The header must name the schema's columns in order: a reordered or renamed bronze column fails the stage
  // with a clear message instead of landing in the wrong field.
  enforceSchema: 'false',
  columnNameOfCorruptRecord: CORRUPT_RECORD_COLUMN,
  // Keep values as written: trimming and empty-string handling are decided below, per column.
  ignoreLeadingWhiteSpace: 'false',
  ignoreTrailingWhiteSpace: 'false',
};

/** The latest instant a flight time may have (2100-01-01): anything later is a corrupt value, not a flight. */
const MAX_UNIX_SECONDS = 4_102_444_800;

/** A trimmed string column with '' read as missing. */
const text = (c: string) => `nullif(trim(${c}), '')`;

/** Integer columns of the feed: empty is allowed (null), anything else must parse. */
const INTEGER_COLUMNS = ['heading', 'altitude', 'ground_speed', 'vertical_speed'] as const;

/** The bronze columns that hold a number, a flag or an instant, and the type each must parse as. */
const PARSED_COLUMNS: ReadonlyArray<readonly [column: string, type: string]> = [
  ['latitude', 'DOUBLE'],
  ['longitude', 'DOUBLE'],
  ['time', 'BIGINT'],
  ...INTEGER_COLUMNS.map((c) => [c, 'INT'] as const),
  ['on_ground', 'BOOLEAN'],
  ['snapshot_time', 'TIMESTAMP'],
];

/**
 * A parsed column's value (null when empty or unparseable). Each is parsed once per row, in a projection of its
 * own: the rules, the de-duplication order and silver's columns all read it, and only the values (not bronze's
 * strings) travel through the de-duplication shuffle.
 */
const parsed = (c: string) => `_${c}_value`;

/**
 * The quarantine reasons, each a SQL condition over the bronze row and its parsed values. The reason column lists
 * every rule a row breaks, separated by '; ', in this order.
 */
export const QUARANTINE_RULES: ReadonlyArray<readonly [reason: string, condition: string]> = [
  ['malformed_record', `${CORRUPT_RECORD_COLUMN} IS NOT NULL`],
  ['missing_id', `${text('id')} IS NULL`],
  ['missing_latitude', `${text('latitude')} IS NULL`],
  ['unparseable_latitude', `${text('latitude')} IS NOT NULL AND ${parsed('latitude')} IS NULL`],
  ['latitude_out_of_range', `NOT coalesce(${parsed('latitude')} BETWEEN -90 AND 90, true)`],
  ['missing_longitude', `${text('longitude')} IS NULL`],
  ['unparseable_longitude', `${text('longitude')} IS NOT NULL AND ${parsed('longitude')} IS NULL`],
  ['longitude_out_of_range', `NOT coalesce(${parsed('longitude')} BETWEEN -180 AND 180, true)`],
  ['missing_time', `${text('time')} IS NULL`],
  ['unparseable_time', `${text('time')} IS NOT NULL AND ${parsed('time')} IS NULL`],
  ['time_out_of_range', `NOT coalesce(${parsed('time')} BETWEEN 1 AND ${MAX_UNIX_SECONDS}, true)`],
  ...INTEGER_COLUMNS.map((c) => [`unparseable_${c}`, `${text(c)} IS NOT NULL AND ${parsed(c)} IS NULL`] as const),
  ['unparseable_on_ground', `${text('on_ground')} IS NOT NULL AND ${parsed('on_ground')} IS NULL`],
  ['unparseable_snapshot_time', `${text('snapshot_time')} IS NOT NULL AND ${parsed('snapshot_time')} IS NULL`],
];

export const REASON_COLUMN = 'reason';

const reasonSql = `nullif(concat_ws('; ', ${QUARANTINE_RULES.map(([reason, condition]) => `CASE WHEN ${condition} THEN '${reason}' END`).join(', ')}), '')`;

/** The silver columns: typed, trimmed, '' as null, upper-case codes. */
const SILVER_COLUMNS: ReadonlyArray<readonly [name: string, type: string, sql: string]> = [
  ['id', 'STRING', text('id')],
  ['icao_24bit', 'STRING', `upper(${text('icao_24bit')})`],
  ['latitude', 'DOUBLE', parsed('latitude')],
  ['longitude', 'DOUBLE', parsed('longitude')],
  ['heading', 'INT', parsed('heading')],
  ['altitude', 'INT', parsed('altitude')],
  ['ground_speed', 'INT', parsed('ground_speed')],
  ['vertical_speed', 'INT', parsed('vertical_speed')],
  ['squawk', 'STRING', text('squawk')],
  ['aircraft_code', 'STRING', `upper(${text('aircraft_code')})`],
  ['registration', 'STRING', text('registration')],
  // Converted after the rules: an out-of-range time would overflow a timestamp.
  ['time', 'TIMESTAMP', `timestamp_seconds(${parsed('time')})`],
  ['origin_airport_iata', 'STRING', `upper(${text('origin_airport_iata')})`],
  ['destination_airport_iata', 'STRING', `upper(${text('destination_airport_iata')})`],
  ['number', 'STRING', text('number')],
  ['airline_iata', 'STRING', `upper(${text('airline_iata')})`],
  ['airline_icao', 'STRING', `upper(${text('airline_icao')})`],
  ['callsign', 'STRING', text('callsign')],
  ['on_ground', 'BOOLEAN', parsed('on_ground')],
  ['snapshot_time', 'TIMESTAMP', parsed('snapshot_time')],
];

/** Silver's schema, given to its readers so they need not open a Parquet footer to learn it (a Spark job). */
export const SILVER_SCHEMA_DDL = SILVER_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');

/**
 * Adds the parsed values, the quarantine reason and, among clean rows, the recency rank of each row within its id
 * (1 = the newest `time`; equal times are ordered by the other fields so the choice is deterministic).
 */
export function classifyBronze(bronze: DataFrame): DataFrame {
  const withValues = bronze.withColumns(
    Object.fromEntries(PARSED_COLUMNS.map(([c, type]) => [parsed(c), F.expr(`try_cast(${text(c)} AS ${type})`)])),
  );
  return withValues.withColumn(REASON_COLUMN, F.expr(reasonSql)).withColumn(
    '_recency_rank',
    F.expr(
      `CASE WHEN ${REASON_COLUMN} IS NULL THEN row_number() OVER (PARTITION BY ${REASON_COLUMN} IS NULL, ${text('id')} ` +
        `ORDER BY ${parsed('time')} DESC, ${parsed('snapshot_time')} DESC NULLS LAST, ${parsed('altitude')} DESC NULLS LAST, ` +
        `latitude, longitude, ${CORRUPT_RECORD_COLUMN}) END`,
    ),
  );
}

/** The silver flights: clean rows only, the newest record of each id, typed columns. */
export function silverFlights(classified: DataFrame): DataFrame {
  return classified
    .filter(F.expr(`${REASON_COLUMN} IS NULL AND _recency_rank = 1`))
    .select(...SILVER_COLUMNS.map(([name, , sql]) => F.expr(sql).alias(name)));
}

/** The quarantined rows, exactly as read from bronze (strings), with the reason. */
export function quarantinedFlights(classified: DataFrame): DataFrame {
  return classified
    .filter(F.expr(`${REASON_COLUMN} IS NOT NULL`))
    .select(...[...BRONZE_COLUMNS, CORRUPT_RECORD_COLUMN, REASON_COLUMN].map((c) => F.col(c)));
}

/**
 * The row accounting of the classified bronze rows, as aggregates to observe while silver is written (one pass:
 * the write's own job computes them).
 */
export function silverAccounting(): Column[] {
  return [
    F.count(F.lit(1)).alias('bronze_rows'),
    F.expr(`count_if(${REASON_COLUMN} IS NULL AND _recency_rank = 1)`).alias('silver_rows'),
    F.expr(`count_if(${REASON_COLUMN} IS NOT NULL)`).alias('quarantined_rows'),
    F.expr(`count_if(${REASON_COLUMN} IS NULL AND _recency_rank > 1)`).alias('duplicates_removed'),
  ];
}
