/**
 * The seven questions of docs/SPEC.md §4 in DuckDB SQL, over the same gold Parquet files, for the side-by-side
 * benchmark. They follow the definitions of jobs/answers/ (same population, same ties rule).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

const AIRLINE = `coalesce(nullif(trim(airline_name), ''), nullif(trim(airline_icao), ''))`;
const REGIONAL = `origin_continent = destination_continent AND origin_continent IS NOT NULL AND origin_continent <> 'Unknown'`;

export const DUCKDB_QUESTIONS: Record<string, (table: string) => string> = {
  'top-airline': (t) => `
    WITH c AS (SELECT ${AIRLINE} AS airline, count(*) AS flights FROM ${t} WHERE ${AIRLINE} IS NOT NULL GROUP BY 1)
    SELECT airline, flights FROM c WHERE flights = (SELECT max(flights) FROM c) ORDER BY airline`,
  'top-regional-airline-per-continent': (t) => `
    WITH c AS (SELECT origin_continent AS continent, ${AIRLINE} AS airline, count(*) AS flights FROM ${t}
               WHERE ${REGIONAL} AND ${AIRLINE} IS NOT NULL GROUP BY 1, 2)
    SELECT continent, airline, flights FROM c
    QUALIFY flights = max(flights) OVER (PARTITION BY continent) ORDER BY continent, airline`,
  'longest-flight': (t) => `
    SELECT id, number, ${AIRLINE} AS airline, origin_airport_iata AS origin, destination_airport_iata AS destination,
           round(CAST(distance AS DOUBLE), 1) AS distance_km
    FROM ${t} WHERE distance IS NOT NULL QUALIFY CAST(distance AS DOUBLE) = max(CAST(distance AS DOUBLE)) OVER () ORDER BY id`,
  'avg-flight-length-per-continent': (t) => `
    SELECT origin_continent AS continent, round(avg(CAST(distance AS DOUBLE)), 1) AS avg_distance_km, count(*) AS flights
    FROM ${t} WHERE ${REGIONAL} AND distance IS NOT NULL GROUP BY 1 ORDER BY 1`,
  'top-manufacturer': (t) => `
    WITH c AS (SELECT aircraft_manufacturer AS manufacturer, count(*) AS flights FROM ${t}
               WHERE aircraft_manufacturer IS NOT NULL AND aircraft_manufacturer <> 'Unknown' GROUP BY 1)
    SELECT manufacturer, flights FROM c WHERE flights = (SELECT max(flights) FROM c) ORDER BY manufacturer`,
  'top-models-per-airline-country': (t) => `
    WITH c AS (SELECT airline_country AS country, aircraft_code AS model, count(*) AS flights FROM ${t}
               WHERE airline_country IS NOT NULL AND nullif(trim(aircraft_code), '') IS NOT NULL GROUP BY 1, 2)
    SELECT country, CAST(rank() OVER (PARTITION BY country ORDER BY flights DESC) AS INT) AS rank, model, flights FROM c
    QUALIFY rank <= 3 ORDER BY country, rank, model`,
  'airport-max-in-out-diff': (t) => `
    WITH o AS (SELECT origin_airport_iata AS a, count(*) AS n FROM ${t} WHERE origin_airport_iata IS NOT NULL GROUP BY 1),
         i AS (SELECT destination_airport_iata AS a, count(*) AS n FROM ${t} WHERE destination_airport_iata IS NOT NULL GROUP BY 1),
         d AS (SELECT coalesce(o.a, i.a) AS airport, coalesce(o.n, 0) AS outgoing, coalesce(i.n, 0) AS incoming,
                      abs(coalesce(o.n, 0) - coalesce(i.n, 0)) AS diff FROM o FULL OUTER JOIN i ON o.a = i.a)
    SELECT * FROM d WHERE diff = (SELECT max(diff) FROM d) ORDER BY airport`,
};

export async function openDuckDb(): Promise<DuckDBConnection> {
  return (await DuckDBInstance.create(':memory:')).connect();
}

export async function duckdbAnswer(connection: DuckDBConnection, question: string, parquetGlob: string) {
  const sql = DUCKDB_QUESTIONS[question];
  if (!sql) throw new Error(`no DuckDB query for question '${question}'`);
  const reader = await connection.runAndReadAll(sql(`read_parquet('${parquetGlob.replace(/'/g, "''")}')`));
  return reader.getRowObjectsJS();
}
