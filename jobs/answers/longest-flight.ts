import { F, type DataFrame } from '../../spark/index.js';
import { AIRLINE_LABEL_SQL } from './common.js';

/**
 * The flight with the longest origin–destination great-circle distance (every flight tied for it, by id). The
 * longest distance is a one-row aggregate joined back (broadcast), not a window over every flight, which would
 * send all of gold through a single task.
 */
export function longestFlight(gold: DataFrame): DataFrame {
  const flights = gold
    .filter(F.expr('distance IS NOT NULL'))
    .select(
      F.col('id'),
      F.col('number'),
      F.expr(AIRLINE_LABEL_SQL).alias('airline'),
      F.col('origin_airport_iata').alias('origin'),
      F.col('destination_airport_iata').alias('destination'),
      F.expr('CAST(distance AS DOUBLE)').alias('distance'),
    );
  return flights
    .join(flights.agg(F.max('distance').alias('longest')), F.expr('distance = longest'), 'inner')
    .select('id', 'number', 'airline', 'origin', 'destination', F.expr('round(distance, 1)').alias('distance_km'))
    .orderBy(F.col('id').asc());
}
