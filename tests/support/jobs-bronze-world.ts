/**
 * A simulated world for the Spark job tests: a bronze CSV (the extractor's header, RFC 4180 quoting) and the
 * two reference CSVs, generated from a seeded PRNG with airports and airlines taken from the seed gold, plus
 * the facts the tests expect (computed here, independently of the jobs): which rows are duplicates, which
 * are quarantined and why, which flights have unknown airports or airlines.
 */
import { AIRLINES_COLUMNS, AIRPORTS_COLUMNS, BRONZE_COLUMNS, csvLine, type BronzeColumn } from '../../contracts/index.js';
import type { SeedFlight } from './jobs-seed-gold.js';
import { CONTINENT_SEED_LACKS, COUNTRY_OF_AIRLINE } from './hand-checked.js';
import { present } from './present.js';
import { seededRandom } from '../../extract/sim/random.js';

type BronzeRow = Record<BronzeColumn, string>;

const at = <T>(items: readonly T[], i: number): T => present(items[i], `item ${i} of ${items.length}`);
const continentOf = (country: string, seedContinent: string | null) =>
  seedContinent && seedContinent !== 'Unknown' ? seedContinent : (CONTINENT_SEED_LACKS[country] ?? 'Unknown');

export interface WorldAirport {
  iata: string;
  name: string;
  latitude: number;
  longitude: number;
  country: string;
  /** As the seed gold (the original project) gives it, or checked by hand where it has none: gold's oracle. */
  continent: string;
}

export interface WorldFlight {
  id: string;
  time: number;
  latitude: number;
  longitude: number;
  aircraft_code: string;
  origin: string;
  destination: string;
  airline_icao: string;
  registration: string;
  callsign: string;
}

export interface BronzeWorld {
  bronzeCsv: string;
  airportsCsv: string;
  airlinesCsv: string;
  airports: Map<string, WorldAirport>;
  airlines: Map<string, string>; // icao → name
  /** The newest clean record of every id: what silver must hold. */
  silver: Map<string, WorldFlight>;
  bronzeRows: number;
  duplicatesRemoved: number;
  /** id of each bad row → the reason the job must give (bad rows without an id are listed under ''). */
  quarantined: { id: string; reason: string }[];
  unknownOriginAirport: number;
  missingOriginAirport: number;
  unknownAirline: number;
}

export interface WorldOptions {
  flights: number;
  snapshotTime: Date;
  seed?: number;
  /** Adds one bad row of each kind, duplicates, unknown references and awkward-but-valid quoting. */
  withDefects?: boolean;
}

export function makeBronzeWorld(seedGold: SeedFlight[], options: WorldOptions): BronzeWorld {
  const random = seededRandom(options.seed ?? 42);
  const pick = <T>(items: readonly T[]) => at(items, Math.floor(random() * items.length));
  const snapshotUnix = Math.floor(options.snapshotTime.getTime() / 1000);
  const snapshotIso = options.snapshotTime.toISOString();

  const airports = new Map<string, WorldAirport>();
  const airlines = new Map<string, string>();
  for (const f of seedGold) {
    airports.set(f.origin_airport_iata!, {
      iata: f.origin_airport_iata!, name: f.origin_airport_name!, latitude: f.origin_latitude!, longitude: f.origin_longitude!, country: f.origin_country!,
      continent: continentOf(f.origin_country!, f.origin_continent),
    });
    airports.set(f.destination_airport_iata!, {
      iata: f.destination_airport_iata!, name: f.destination_airport_name!, latitude: f.destination_latitude!,
      longitude: f.destination_longitude!, country: f.destination_country!, continent: continentOf(f.destination_country!, f.destination_continent),
    });
    if (f.airline_icao) airlines.set(f.airline_icao, f.airline_name!);
  }
  const airportCodes = [...airports.keys()].sort();
  // Only airlines whose country is checked by hand, so the gold test needs no production lookup table.
  const airlineCodes = [...airlines.keys()].filter((icao) => icao in COUNTRY_OF_AIRLINE).sort();
  const aircraftCodes = [...new Set(seedGold.map((f) => f.aircraft_code!))].sort();

  const rows: BronzeRow[] = [];
  /** Lines that are not rows of the header's shape, written as they are. */
  const malformed: { line: string; id: string; reason: string }[] = [];
  const silver = new Map<string, WorldFlight>();
  const quarantined: { id: string; reason: string }[] = [];
  let duplicatesRemoved = 0;
  let unknownOriginAirport = 0;
  let missingOriginAirport = 0;
  let unknownAirline = 0;

  const toRow = (f: WorldFlight, overrides: Partial<BronzeRow> = {}): BronzeRow => ({
    id: f.id,
    icao_24bit: Math.floor(random() * 0xffffff).toString(16).padStart(6, '0').toUpperCase(),
    latitude: String(f.latitude),
    longitude: String(f.longitude),
    heading: String(Math.floor(random() * 360)),
    altitude: String(Math.floor(random() * 40000)),
    ground_speed: String(Math.floor(random() * 500)),
    squawk: String(Math.floor(random() * 7777)).padStart(4, '0'),
    radar: 'T-SIM1',
    aircraft_code: f.aircraft_code,
    registration: f.registration,
    time: String(f.time),
    origin_airport_iata: f.origin,
    destination_airport_iata: f.destination,
    number: f.airline_icao ? `${f.airline_icao.slice(0, 2)}${Math.floor(random() * 9000) + 100}` : '',
    airline_iata: '',
    on_ground: random() < 0.1 ? '1' : '0',
    vertical_speed: String(Math.floor(random() * 4000) - 2000),
    callsign: f.callsign,
    airline_icao: f.airline_icao,
    snapshot_time: snapshotIso,
    ...overrides,
  });

  for (let i = 0; i < options.flights; i++) {
    const origin = pick(airportCodes);
    let destination = pick(airportCodes);
    if (destination === origin) destination = at(airportCodes, (airportCodes.indexOf(origin) + 1) % airportCodes.length);
    const airline = pick(airlineCodes);
    const flight: WorldFlight = {
      id: (0x30000000 + i).toString(16),
      time: snapshotUnix - Math.floor(random() * 600),
      latitude: Math.round((random() * 170 - 85) * 1e4) / 1e4,
      longitude: Math.round((random() * 358 - 179) * 1e4) / 1e4,
      aircraft_code: pick(aircraftCodes),
      origin,
      destination,
      airline_icao: airline,
      registration: `N${Math.floor(random() * 99999)}`,
      callsign: `${airline}${i}`,
    };
    silver.set(flight.id, flight);
  }

  if (options.withDefects) {
    const flightAt = (i: number) => at([...silver.values()], i);
    // Duplicates: an older record of the same flight, somewhere else; the newest must win.
    for (let i = 0; i < 7; i++) {
      const f = flightAt(i);
      rows.push(toRow({ ...f, time: f.time - 90, latitude: 1.5, longitude: 2.5 }));
      duplicatesRemoved++;
    }
    // A record with the same time twice: exactly one is kept.
    rows.push(toRow(flightAt(7)));
    duplicatesRemoved++;
    // Unknown and missing references stay in gold and are counted.
    const unknownOrigin = flightAt(8);
    unknownOrigin.origin = 'XQX';
    unknownOriginAirport++;
    const noOrigin = flightAt(9);
    noOrigin.origin = '';
    missingOriginAirport++;
    const unknownAirlineFlight = flightAt(10);
    unknownAirlineFlight.airline_icao = 'XQZ'; // in no airline list: its country is where it flies from
    unknownAirline++;
    flightAt(11).aircraft_code = 'ZZZZ';
    // Valid fields that need RFC 4180 quoting: a comma, a doubled quote, a line break.
    flightAt(12).callsign = 'AB,"C"';
    flightAt(13).registration = 'G-\nLINE';

    const bad = (id: string, reason: string, overrides: Partial<BronzeRow>) => {
      const base = flightAt(20);
      rows.push(toRow({ ...base, id }, { id, ...overrides }));
      quarantined.push({ id, reason });
    };
    bad('', 'missing_id', {});
    bad('bad00001', 'latitude_out_of_range', { latitude: '95.5' });
    bad('bad00002', 'latitude_out_of_range', { latitude: '-90.01' });
    bad('bad00003', 'longitude_out_of_range', { longitude: '-190' });
    bad('bad00004', 'unparseable_latitude', { latitude: 'abc' });
    bad('bad00005', 'unparseable_longitude', { longitude: '12,5' });
    bad('bad00006', 'unparseable_time', { time: 'yesterday' });
    bad('bad00007', 'missing_time', { time: '' });
    bad('bad00008', 'unparseable_altitude', { altitude: '12x' });
    bad('bad00009', 'unparseable_on_ground', { on_ground: 'maybe' });
    bad('bad00010', 'missing_latitude', { latitude: '' });
    bad('bad00011', 'unparseable_ground_speed', { ground_speed: 'fast' });
    bad('bad00012', 'missing_longitude', { longitude: ' ' });
    bad('bad00013', 'time_out_of_range', { time: '4102444801' }); // one second after 2100-01-01T00:00:00Z
    bad('bad00014', 'time_out_of_range', { time: '0' });
    bad('bad00015', 'unparseable_heading', { heading: 'north' });
    bad('bad00016', 'unparseable_vertical_speed', { vertical_speed: 'up' });
    bad('bad00017', 'unparseable_snapshot_time', { snapshot_time: 'now' });
    // Every rule a row breaks is named, in the order of the rules.
    bad('bad00018', 'unparseable_latitude; missing_longitude; unparseable_heading; unparseable_on_ground', {
      latitude: 'abc', longitude: '', heading: 'x', on_ground: 'maybe',
    });
    bad('bad00019', 'latitude_out_of_range; longitude_out_of_range; unparseable_time', { latitude: '91', longitude: '181', time: 'soon' });
    // A line with two fields instead of 21: Spark cannot place the rest, and the fields it lacks are missing too.
    malformed.push({ line: csvLine(['bad00020', 'ABC']), id: 'bad00020', reason: 'malformed_record; missing_latitude; missing_longitude; missing_time' });
  }

  for (const f of silver.values()) rows.push(toRow(f));
  // Shuffle so duplicates and bad rows are spread over the file (and over Spark partitions).
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [at(rows, j), at(rows, i)];
  }
  const lines = rows.map((r) => csvLine(BRONZE_COLUMNS.map((c) => r[c])));
  for (const m of malformed) {
    lines.splice(Math.floor(random() * lines.length), 0, m.line);
    quarantined.push({ id: m.id, reason: m.reason });
  }
  const bronzeCsv = csvLine(BRONZE_COLUMNS) + lines.join('');

  const airportLines = [...airports.values()].map((a) =>
    csvLine([a.iata, '', a.name, String(a.latitude), String(a.longitude), '0', a.country]),
  );
  // A repeated code in the reference list must not multiply flights.
  const first = at([...airports.values()], 0);
  airportLines.push(csvLine([first.iata, '', `${first.name} (duplicate entry)`, String(first.latitude), String(first.longitude), '0', first.country]));
  const airportsCsv = csvLine(AIRPORTS_COLUMNS) + airportLines.join('');
  const airlineLines = [...airlines.entries()].map(([icao, name]) => csvLine([name, '', icao]));
  const [firstIcao, firstName] = at([...airlines.entries()], 0);
  airlineLines.push(csvLine([`${firstName} (duplicate entry)`, '', firstIcao]));
  const airlinesCsv = csvLine(AIRLINES_COLUMNS) + airlineLines.join('');

  return {
    bronzeCsv,
    airportsCsv,
    airlinesCsv,
    airports,
    airlines,
    silver,
    bronzeRows: lines.length,
    duplicatesRemoved,
    quarantined,
    unknownOriginAirport,
    missingOriginAirport,
    unknownAirline,
  };
}
