/**
 * The deterministic synthetic world the FR24-compatible server answers from.
 *
 * Flights fly between real airports (hubs weighted up, Europe, North America and East Asia weighted up,
 * so those regions are dense enough that capped cells split several levels deep); a quarter are
 * long-haul, so oceans and the antimeridian (transpacific great circles) carry traffic; a few special
 * flights sit on the antimeridian, over the poles and the southern oceans, outside every named FR24 zone;
 * one deliberately unsplittable cluster (more flights than the cap parked at one spot: an air show) and
 * a few malformed records complete it. Every flight is a feed record exactly as FR24 sends it.
 */
import { AIRLINES, HUBS, LIGHT_TYPES, LONG_HAUL_TYPES, realAirports, SHORT_HAUL_TYPES, type Region, type SimAirline, type SimAirport } from './catalog.js';
import { intBetween, pick, seededRandom, weightedIndex, type Random } from './random.js';

export type FlightKind = 'regular' | 'special' | 'cluster' | 'malformed';

export interface SimFlight {
  id: string;
  /** True position, used to answer bounds queries even when the record's own lat/lon are malformed. */
  lat: number;
  lon: number;
  record: unknown[];
  kind: FlightKind;
}

export interface WorldOptions {
  seed?: number;
  /** Total flights in the world, cluster and malformed records included (default 20,000). */
  flights?: number;
  /** Unix seconds of the snapshot; record times are up to a minute older. Default: now. */
  epochSeconds?: number;
  /** The unsplittable cluster; `false` for none. Default: 1,700 aircraft parked at Oshkosh (OSH). */
  cluster?: { lat: number; lon: number; flights: number } | false;
  /** How many records are malformed (default 24). */
  malformed?: number;
}

export interface World {
  seed: number;
  epochSeconds: number;
  airports: SimAirport[];
  airlines: SimAirline[];
  /** In FR24's answer order: a capped answer holds the first `cap` flights of the box in this order. */
  flights: SimFlight[];
  cluster?: { lat: number; lon: number; flights: number };
}

export const DEFAULT_CLUSTER = { lat: 43.9844, lon: -88.5571, flights: 1700 };

const REGION_WEIGHT: Record<Region, number> = { europe: 4, northamerica: 1.6, eastasia: 7, other: 1 };
const HUB_WEIGHT = 25;

export interface FlightFactory {
  airports: SimAirport[];
  next(rand: Random): { lat: number; lon: number; record: unknown[] };
}

/** Builds regular flights one at a time (shared with the synthetic-bronze generator, which never holds them all). */
export function flightFactory(epochSeconds: number): FlightFactory {
  const airports = realAirports();
  const byRegion = new Map<Region, { list: SimAirport[]; cumulative: Float64Array }>();
  const weight = (a: SimAirport) => REGION_WEIGHT[a.region] * (HUBS.has(a.iata) ? HUB_WEIGHT : 1);
  const all = prefix(airports, weight);
  for (const region of ['europe', 'northamerica', 'eastasia', 'other'] as Region[]) {
    const list = airports.filter((a) => a.region === region);
    byRegion.set(region, { list, cumulative: prefix(list, weight).cumulative });
  }
  const airlinesByRegion = new Map<Region, SimAirline[]>();
  for (const a of AIRLINES) airlinesByRegion.set(a.region, [...(airlinesByRegion.get(a.region) ?? []), a]);

  return {
    airports,
    next(rand) {
      const origin = airports[weightedIndex(rand, all.cumulative)] as SimAirport;
      const longHaul = rand() < 0.22;
      let destination = origin;
      for (let tries = 0; tries < 40 && (destination === origin || (!longHaul && km(origin, destination) > 3000)); tries++) {
        const pool = longHaul ? all : (byRegion.get(origin.region) as { list: SimAirport[]; cumulative: Float64Array });
        destination = (pool.list[weightedIndex(rand, pool.cumulative)] as SimAirport) ?? origin;
      }
      const airline = pick(rand, airlinesByRegion.get(rand() < 0.85 ? origin.region : destination.region) ?? AIRLINES);
      const distance = km(origin, destination);
      // 4% are on the ground at either end.
      const onGround = rand() < 0.04;
      const t = onGround ? (rand() < 0.5 ? 0 : 1) : 0.01 + 0.98 * rand();
      const [lat, lon] = alongGreatCircle(origin, destination, t);
      const [lat2, lon2] = alongGreatCircle(origin, destination, Math.min(1, t + 0.001));
      const phase = Math.min(t, 1 - t) * distance; // km from the nearer airport
      const altitude = onGround ? 0 : Math.round(Math.min(longHaul ? 39000 : 36000, 600 + phase * 120) / 25) * 25;
      const speed = onGround ? intBetween(rand, 0, 18) : Math.round(Math.min(longHaul ? 510 : 460, 140 + phase * 2.2));
      const vspeed = onGround || phase > 250 ? 0 : (t < 0.5 ? 1 : -1) * intBetween(rand, 500, 2500);
      const type = pick(rand, longHaul || distance > 4500 ? LONG_HAUL_TYPES : SHORT_HAUL_TYPES);
      const flightNo = `${intBetween(rand, 1, 9999)}`;
      const record = [
        hex24(rand),
        round4(lat),
        round4(lon),
        onGround ? intBetween(rand, 0, 359) : Math.round(bearing(lat, lon, lat2, lon2)),
        altitude,
        speed,
        rand() < 0.1 ? '' : squawk(rand),
        rand() < 0.12 ? `T-MLAT${intBetween(rand, 1, 9)}` : `F-${origin.icao || 'KXXX'}${intBetween(rand, 1, 3)}`,
        type,
        registration(rand, airline.region),
        epochSeconds - intBetween(rand, 0, 59),
        origin.iata,
        destination.iata,
        `${airline.iata}${flightNo}`,
        onGround ? 1 : 0,
        vspeed,
        `${airline.icao}${flightNo}`,
        0,
        airline.icao,
      ];
      return { lat: round4(lat), lon: round4(lon), record };
    },
  };
}

export function generateWorld(options: WorldOptions = {}): World {
  const seed = options.seed ?? 1;
  const total = options.flights ?? 20_000;
  const epochSeconds = options.epochSeconds ?? Math.floor(Date.now() / 1000);
  const rand = seededRandom(seed);
  const factory = flightFactory(epochSeconds);
  const cluster = options.cluster === false ? undefined : (options.cluster ?? DEFAULT_CLUSTER);
  const clusterCount = cluster ? Math.min(cluster.flights, Math.floor(total / 2)) : 0;
  const malformedCount = Math.min(options.malformed ?? 24, Math.floor(total / 10));
  const special = specialFlights(rand, epochSeconds, Math.min(60, Math.floor(total / 20)));
  const regularCount = Math.max(0, total - clusterCount - special.length);

  const flights: Omit<SimFlight, 'id'>[] = [];
  for (let i = 0; i < regularCount; i++) flights.push({ ...factory.next(rand), kind: 'regular' });
  for (const s of special) flights.push({ ...s, kind: 'special' });
  for (let i = 0; i < clusterCount && cluster; i++) flights.push({ ...clusterAircraft(rand, cluster, epochSeconds), kind: 'cluster' });

  // Malformed: damage some regular records in place (their true position stays known to the server).
  const regularIdx = flights.map((f, i) => (f.kind === 'regular' ? i : -1)).filter((i) => i >= 0);
  for (let m = 0; m < malformedCount && regularIdx.length > 0; m++) {
    const i = regularIdx.splice(Math.floor(rand() * regularIdx.length), 1)[0] as number;
    const f = flights[i] as Omit<SimFlight, 'id'>;
    flights[i] = { ...f, record: malform(f.record, m), kind: 'malformed' };
  }

  // Ids: unique 8-hex-digit FR24 ids (they start with a digit, which is how flightradarapi tells flights from metadata).
  const withIds: SimFlight[] = flights.map((f, i) => ({ ...f, id: (0x38000000 + i * 37 + Math.floor(rand() * 37)).toString(16) }));
  // FR24's answer order: a stable pseudo-random priority per flight, so a capped answer is a spread-out sample.
  const priority = new Map(withIds.map((f) => [f.id, rand()]));
  withIds.sort((a, b) => (priority.get(a.id) as number) - (priority.get(b.id) as number));
  return {
    seed,
    epochSeconds,
    airports: factory.airports,
    airlines: AIRLINES,
    flights: withIds,
    cluster: cluster ? { ...cluster, flights: clusterCount } : undefined,
  };
}

/** Flights no named FR24 zone covers: on the antimeridian, near the poles, over the southern oceans. */
function specialFlights(rand: Random, epoch: number, n: number): { lat: number; lon: number; record: unknown[] }[] {
  const out: { lat: number; lon: number; record: unknown[] }[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 4;
    const lat = k === 0 ? -50 + 100 * rand() : k === 1 ? 80 + 9.9 * rand() : k === 2 ? -75 + 30 * rand() : -60 + 120 * rand();
    const lon = k === 0 ? (rand() < 0.5 ? 180 - 0.4 * rand() : -180 + 0.4 * rand()) : k === 3 ? (i % 8 === 3 ? 180 : -180) : -180 + 360 * rand();
    const no = intBetween(rand, 100, 999);
    out.push({
      lat: round4(lat),
      lon: round4(lon),
      record: [hex24(rand), round4(lat), round4(lon), intBetween(rand, 0, 359), 37000, 480, squawk(rand), 'T-SAT1', 'B77W',
        registration(rand, 'other'), epoch - intBetween(rand, 0, 59), '', '', `QF${no}`, 0, 0, `QFA${no}`, 0, 'QFA'],
    });
  }
  return out;
}

function clusterAircraft(rand: Random, c: { lat: number; lon: number }, epoch: number) {
  // One reported position for all of them (as when FR24 places aircraft at a receiver or an airfield
  // reference point): no line can separate them, at any cell size.
  const lat = round4(c.lat);
  const lon = round4(c.lon);
  return {
    lat,
    lon,
    record: [hex24(rand), lat, lon, intBetween(rand, 0, 359), 0, 0, '1200', 'F-KOSH1', pick(rand, LIGHT_TYPES),
      registration(rand, 'northamerica'), epoch - intBetween(rand, 0, 59), '', '', '', 1, 0, '', 0, ''],
  };
}

/** The ways real feed records come broken: short, padded, wrong types, text that needs CSV quoting. */
function malform(record: unknown[], m: number): unknown[] {
  const r = [...record];
  switch (m % 6) {
    case 0: return r.slice(0, 5);
    case 1: r[1] = 'N/A'; r[2] = null; return r;
    case 2: r[13] = 'AB,"12"'; r[16] = 'ABC\n12'; r[9] = 'G-"QUOTE"'; return r;
    case 3: return [...r, 'extra', 42, null, true, 'more'];
    case 4: r[4] = 'FL350'; r[14] = 'yes'; r[10] = '2026-11-25 07:00'; return r;
    default: r[5] = { knots: 450 }; r[8] = [1, 2]; r[6] = 7700; return r;
  }
}

function prefix<T>(items: T[], weight: (t: T) => number) {
  const cumulative = new Float64Array(items.length);
  let sum = 0;
  items.forEach((item, i) => {
    sum += weight(item);
    cumulative[i] = sum;
  });
  return { list: items, cumulative };
}

const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

function km(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const h = Math.sin(rad(b.lat - a.lat) / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lon - a.lon) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Spherical interpolation: transpacific routes cross the antimeridian as real ones do. */
function alongGreatCircle(a: SimAirport, b: SimAirport, t: number): [number, number] {
  const d = km(a, b) / 6371;
  if (d < 1e-9) return [a.lat, a.lon];
  const A = Math.sin((1 - t) * d) / Math.sin(d);
  const B = Math.sin(t * d) / Math.sin(d);
  const x = A * Math.cos(rad(a.lat)) * Math.cos(rad(a.lon)) + B * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon));
  const y = A * Math.cos(rad(a.lat)) * Math.sin(rad(a.lon)) + B * Math.cos(rad(b.lat)) * Math.sin(rad(b.lon));
  const z = A * Math.sin(rad(a.lat)) + B * Math.sin(rad(b.lat));
  return [deg(Math.atan2(z, Math.sqrt(x * x + y * y))), deg(Math.atan2(y, x))];
}

function bearing(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const y = Math.sin(rad(lon2 - lon1)) * Math.cos(rad(lat2));
  const x = Math.cos(rad(lat1)) * Math.sin(rad(lat2)) - Math.sin(rad(lat1)) * Math.cos(rad(lat2)) * Math.cos(rad(lon2 - lon1));
  return (deg(Math.atan2(y, x)) + 360) % 360;
}

const HEX = '0123456789ABCDEF';
function hex24(rand: Random): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += HEX[Math.floor(rand() * 16)];
  return s;
}

function squawk(rand: Random): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += String(Math.floor(rand() * 8));
  return s;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
function registration(rand: Random, region: Region): string {
  const l = (n: number) => Array.from({ length: n }, () => LETTERS[Math.floor(rand() * 26)]).join('');
  if (region === 'northamerica') return rand() < 0.85 ? `N${intBetween(rand, 100, 999)}${l(2)}` : `C-F${l(3)}`;
  if (region === 'eastasia') return rand() < 0.6 ? `B-${intBetween(rand, 1000, 9999)}` : `JA${intBetween(rand, 100, 999)}${l(1)}`;
  if (region === 'europe') return `${pick(rand, ['G-', 'D-A', 'F-H', 'EI-', 'EC-', 'PH-', 'SP-', 'HB-'])}${l(3)}`;
  return `${pick(rand, ['VH-', 'A6-', '9V-', 'PR-', 'VT-', 'ZS-'])}${l(3)}`;
}
