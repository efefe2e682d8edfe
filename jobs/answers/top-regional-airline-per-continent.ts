import { F, type DataFrame } from '../../spark/index.js';
import { AIRLINE_LABEL_SQL, REGIONAL_SQL, rowsWithMax } from './common.js';

/** Per continent, the airline with the most regional flights (origin and destination on that continent). */
export function topRegionalAirlinePerContinent(gold: DataFrame): DataFrame {
  const counts = gold
    .filter(F.expr(REGIONAL_SQL))
    .select(F.col('origin_continent').alias('continent'), F.expr(AIRLINE_LABEL_SQL).alias('airline'))
    .filter(F.expr('airline IS NOT NULL'))
    .groupBy('continent', 'airline')
    .agg(F.count(F.lit(1)).alias('flights'));
  return rowsWithMax(counts, 'flights', ['continent', 'airline', 'flights'], 'continent').orderBy(
    F.col('continent').asc(),
    F.col('airline').asc(),
  );
}
