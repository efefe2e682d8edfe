import { F, type DataFrame } from '../../spark/index.js';
import { REGIONAL_SQL } from './common.js';

/** Per continent, the average great-circle distance of its regional flights (those with a known distance). */
export function avgFlightLengthPerContinent(gold: DataFrame): DataFrame {
  return gold
    .filter(F.expr(`${REGIONAL_SQL} AND distance IS NOT NULL`))
    .groupBy(F.col('origin_continent').alias('continent'))
    .agg(F.expr('round(avg(CAST(distance AS DOUBLE)), 1)').alias('avg_distance_km'), F.count(F.lit(1)).alias('flights'))
    .orderBy(F.col('continent').asc());
}
