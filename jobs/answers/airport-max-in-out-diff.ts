import { F, type DataFrame } from '../../spark/index.js';
import { rowsWithMax } from './common.js';

/**
 * The airport with the largest difference between its outgoing and incoming flights, as an absolute value
 * (`outgoing` and `incoming` show which way it leans); every airport tied for it, by code.
 */
export function airportMaxInOutDiff(gold: DataFrame): DataFrame {
  const outgoing = gold
    .filter(F.expr('origin_airport_iata IS NOT NULL'))
    .groupBy(F.col('origin_airport_iata').alias('out_airport'))
    .agg(F.count(F.lit(1)).alias('outgoing'));
  const incoming = gold
    .filter(F.expr('destination_airport_iata IS NOT NULL'))
    .groupBy(F.col('destination_airport_iata').alias('in_airport'))
    .agg(F.count(F.lit(1)).alias('incoming'));
  const perAirport = outgoing
    .join(incoming, F.expr('out_airport = in_airport'), 'full_outer')
    .select(
      F.expr('coalesce(out_airport, in_airport)').alias('airport'),
      F.expr('coalesce(outgoing, 0)').alias('outgoing'),
      F.expr('coalesce(incoming, 0)').alias('incoming'),
      F.expr('abs(coalesce(outgoing, 0) - coalesce(incoming, 0))').alias('diff'),
    );
  return rowsWithMax(perAirport, 'diff', ['airport', 'outgoing', 'incoming', 'diff']).orderBy(F.col('airport').asc());
}
