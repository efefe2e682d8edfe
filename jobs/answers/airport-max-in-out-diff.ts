import { F, type DataFrame } from '../../spark/index.js';
import { rowsWithMax } from './common.js';

/**
 * The airport with the largest difference between its outgoing and incoming flights, as an absolute value
 * (`outgoing` and `incoming` show which way it leans); every airport tied for it, by code. Each flight counts
 * once as outgoing at its origin and once as incoming at its destination: one aggregation over both, not two
 * joined (a full outer join would need an exchange of its own before the answer's sort).
 */
export function airportMaxInOutDiff(gold: DataFrame): DataFrame {
  const ends = (column: string, outgoing: 0 | 1) =>
    gold.filter(F.expr(`${column} IS NOT NULL`)).select(F.col(column).alias('airport'), F.lit(outgoing).alias('is_out'));
  const perAirport = ends('origin_airport_iata', 1)
    .union(ends('destination_airport_iata', 0))
    .groupBy('airport')
    .agg(F.expr('CAST(sum(is_out) AS BIGINT)').alias('outgoing'), F.expr('CAST(sum(1 - is_out) AS BIGINT)').alias('incoming'))
    .withColumn('diff', F.expr('abs(outgoing - incoming)'));
  return rowsWithMax(perAirport, 'diff', ['airport', 'outgoing', 'incoming', 'diff']).orderBy(F.col('airport').asc());
}
