/** Column expressions the answers share, so every question reads the same population the same way. */
import { F, type DataFrame } from '../../spark/index.js';
import { UNKNOWN } from '../reference/countries.js';

/** The airline as a person reads it: its name, else its ICAO code (a code missing from the airline list). */
export const AIRLINE_LABEL_SQL = `coalesce(nullif(trim(airline_name), ''), nullif(trim(airline_icao), ''))`;

/** A regional flight: both airports on the same, known continent. */
export const REGIONAL_SQL = `origin_continent = destination_continent AND origin_continent IS NOT NULL AND origin_continent <> '${UNKNOWN}'`;

/**
 * The rows whose `value` equals the largest value of their group (of the whole frame without `partitionBy`):
 * every tied row is kept. `columns` are the output columns (the helper column is not among them).
 */
export function rowsWithMax(df: DataFrame, value: string, columns: string[], partitionBy?: string): DataFrame {
  const over = partitionBy ? `PARTITION BY ${partitionBy}` : '';
  return df
    .withColumn('_group_max', F.expr(`max(${value}) OVER (${over})`))
    .filter(F.expr(`${value} = _group_max`))
    .select(...columns.map((c) => F.col(c)));
}
