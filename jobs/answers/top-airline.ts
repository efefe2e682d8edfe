import { F, type DataFrame } from '../../spark/index.js';
import { AIRLINE_LABEL_SQL, rowsWithMax } from './common.js';

/** The airline with the most flights (every airline tied for the most, by name). */
export function topAirline(gold: DataFrame): DataFrame {
  const counts = gold
    .select(F.expr(AIRLINE_LABEL_SQL).alias('airline'))
    .filter(F.expr('airline IS NOT NULL'))
    .groupBy('airline')
    .agg(F.count(F.lit(1)).alias('flights'));
  return rowsWithMax(counts, 'flights', ['airline', 'flights']).orderBy(F.col('airline').asc());
}
