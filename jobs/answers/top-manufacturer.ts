import { F, type DataFrame } from '../../spark/index.js';
import { UNKNOWN_MANUFACTURER } from '../reference/aircraft-types.js';
import { rowsWithMax } from './common.js';

/** The aircraft manufacturer with the most flights (types missing from the reference data are not a manufacturer). */
export function topManufacturer(gold: DataFrame): DataFrame {
  const counts = gold
    .filter(F.expr(`aircraft_manufacturer IS NOT NULL AND aircraft_manufacturer <> '${UNKNOWN_MANUFACTURER}'`))
    .groupBy(F.col('aircraft_manufacturer').alias('manufacturer'))
    .agg(F.count(F.lit(1)).alias('flights'));
  return rowsWithMax(counts, 'flights', ['manufacturer', 'flights']).orderBy(F.col('manufacturer').asc());
}
