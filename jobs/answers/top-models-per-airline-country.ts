import { F, type DataFrame } from '../../spark/index.js';

/** How many places each airline country lists; models tied at the cut-off are all kept (rank, not row number). */
export const MODELS_PER_COUNTRY = 3;

/** Per airline country, the most used aircraft models (ICAO type designators), ranked by flights. */
export function topModelsPerAirlineCountry(gold: DataFrame): DataFrame {
  return gold
    .filter(F.expr("airline_country IS NOT NULL AND nullif(trim(aircraft_code), '') IS NOT NULL"))
    .groupBy(F.col('airline_country').alias('country'), F.col('aircraft_code').alias('model'))
    .agg(F.count(F.lit(1)).alias('flights'))
    .withColumn('rank', F.expr('CAST(rank() OVER (PARTITION BY country ORDER BY flights DESC) AS INT)'))
    .filter(F.expr(`rank <= ${MODELS_PER_COUNTRY}`))
    .select('country', 'rank', 'model', 'flights')
    .orderBy(F.col('country').asc(), F.col('rank').asc(), F.col('model').asc());
}
