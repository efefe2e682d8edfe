/**
 * A gold snapshot of the original project (the seed sample's columns) lacks the aircraft manufacturer and the
 * airline country; the answers derive them here, at answer time, with the same rules as the gold job.
 */
import { F, type DataFrame } from '../../spark/index.js';
import { withAirlineCountry } from '../gold.js';
import { UNKNOWN_MANUFACTURER } from '../reference/aircraft-types.js';
import { normalizedCountrySql } from '../reference/countries.js';

export interface AnswerReferences {
  countries: DataFrame;
  aircraftTypes: DataFrame;
  airlineCountries: DataFrame;
}

export function completeGold(gold: DataFrame, columns: readonly string[], refs: AnswerReferences): DataFrame {
  let complete = gold;
  if (!columns.includes('aircraft_manufacturer')) {
    const types = refs.aircraftTypes.select(F.col('designator').alias('_designator'), F.col('manufacturer').alias('_manufacturer'));
    complete = complete
      .join(types, F.expr('upper(trim(aircraft_code)) = _designator'), 'left')
      .withColumn('aircraft_manufacturer', F.expr(`coalesce(_manufacturer, '${UNKNOWN_MANUFACTURER}')`))
      .select(...[...columns, 'aircraft_manufacturer'].map((c) => F.col(c)));
  }
  if (!columns.includes('airline_country')) {
    const known = [...columns, ...(columns.includes('aircraft_manufacturer') ? [] : ['aircraft_manufacturer'])];
    const names = refs.countries.select(F.col('country_key').alias('_country_key'), F.col('country_name').alias('origin_country_name'));
    const withOriginCountryName = complete.join(names, F.expr(`${normalizedCountrySql('origin_country')} = _country_key`), 'left');
    complete = withAirlineCountry(withOriginCountryName, refs).select(...[...known, 'airline_country'].map((c) => F.col(c)));
  }
  return complete;
}
