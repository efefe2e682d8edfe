import { F, type DataFrame } from '../../spark/index.js';
import { AIRLINE_LABEL_SQL } from './common.js';

/**
 * The flight with the longest origin–destination great-circle distance (every flight tied for it, by id). Ranked
 * by a window filtered to the first rank, which Spark turns into a per-partition top before any shuffle (its
 * window group limit): only each partition's longest flights move, and on one partition nothing does.
 */
export function longestFlight(gold: DataFrame): DataFrame {
  return gold
    .filter(F.expr('distance IS NOT NULL'))
    .select(
      F.col('id'),
      F.col('number'),
      F.expr(AIRLINE_LABEL_SQL).alias('airline'),
      F.col('origin_airport_iata').alias('origin'),
      F.col('destination_airport_iata').alias('destination'),
      F.expr('CAST(distance AS DOUBLE)').alias('distance'),
      F.expr('rank() OVER (ORDER BY CAST(distance AS DOUBLE) DESC)').alias('_rank'),
    )
    .filter(F.expr('_rank = 1'))
    .select('id', 'number', 'airline', 'origin', 'destination', F.expr('round(distance, 1)').alias('distance_km'))
    .orderBy(F.col('id').asc());
}
