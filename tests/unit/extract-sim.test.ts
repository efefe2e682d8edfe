/**
 * The FR24-compatible server answers flightradarapi's own calls (getFlights, getAirports, getAirlines)
 * once FR24_BASE_URL points the library at it: the production parsers read what it sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { startFr24Sim, useFr24BaseUrl, type Fr24Sim } from '../../extract/index.js';

const require = createRequire(import.meta.url);
const { FlightRadar24API } = require('flightradarapi');

let sim: Fr24Sim;
let release: () => void;

beforeAll(async () => {
  sim = await startFr24Sim({ seed: 7, flights: 6000, cap: 1500 });
  release = useFr24BaseUrl(sim.url);
});
afterAll(async () => {
  release();
  await sim.close();
});

const inBox = (lat: number, lon: number, n: number, s: number, w: number, e: number) => lat <= n && lat >= s && lon >= w && lon <= e;

describe('FR24-compatible server, read by flightradarapi', () => {
  it('serves the live feed: flights of the box, parsed field by field by the library', async () => {
    const api = new FlightRadar24API({ timeout: 5000 });
    const [n, s, w, e] = [60, 35, -10, 30];
    const flights = await api.getFlights(null, `${n},${s},${w},${e}`);
    const expected = sim.world.flights.filter((f) => inBox(f.lat, f.lon, n, s, w, e));
    expect(expected.length).toBeGreaterThan(0);
    expect(flights.length).toBe(Math.min(1500, expected.length));
    const byId = new Map(sim.world.flights.map((f) => [f.id, f]));
    for (const flight of flights.slice(0, 50)) {
      const world = byId.get(flight.id);
      expect(world, flight.id).toBeDefined();
      if (world?.kind === 'malformed') continue;
      const r = world!.record;
      expect([flight.icao24bit, flight.latitude, flight.longitude, flight.aircraftCode, flight.registration, flight.time]).toEqual([r[0], r[1], r[2], r[8], r[9], r[10]]);
      expect([flight.originAirportIata, flight.destinationAirportIata, flight.number, flight.callsign, flight.airlineIcao]).toEqual([r[11], r[12], r[13], r[16], r[18]]);
    }
  });

  it('caps an answer and reports full_count and stats as FR24 does', async () => {
    const response = await fetch(`${sim.url}/zones/fcgi/feed.js?bounds=90,-90,-180,180&limit=5000`);
    const body = (await response.json()) as Record<string, unknown> & { stats: { total: Record<string, number>; visible: Record<string, number> } };
    const ids = Object.keys(body).filter((k) => /^[0-9]/.test(k));
    expect(ids.length).toBe(1500);
    expect(body.full_count).toBe(sim.world.flights.length);
    expect(body.version).toBe(4);
    const visible = Object.values(body.stats.visible).reduce((a, b) => a + b, 0);
    expect(visible).toBe(sim.world.flights.length);
  });

  it('answers a box across the antimeridian (west > east) with the flights on both sides', async () => {
    const expected = sim.world.flights.filter((f) => f.lat <= 70 && f.lat >= -70 && (f.lon >= 170 || f.lon <= -170));
    expect(expected.length).toBeGreaterThan(0);
    const response = await fetch(`${sim.url}/zones/fcgi/feed.js?bounds=70,-70,170,-170`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).filter((k) => /^[0-9]/.test(k)).sort()).toEqual(expected.map((f) => f.id).sort());
  });

  it('serves airports and airlines that the library parses', async () => {
    const api = new FlightRadar24API({ timeout: 5000 });
    const airports = await api.getAirports();
    expect(airports.length).toBe(sim.world.airports.length);
    const lhr = airports.find((a: { iata: string }) => a.iata === 'LHR');
    expect(lhr).toMatchObject({ icao: 'EGLL', country: 'United Kingdom' });
    expect(lhr.latitude).toBeCloseTo(51.47, 1);
    const airlines = await api.getAirlines();
    expect(airlines.length).toBe(sim.world.airlines.length);
    expect(airlines).toContainEqual(expect.objectContaining({ Name: 'Lufthansa', IATA: 'LH', ICAO: 'DLH' }));
  });

  it('counts the requests it answers', async () => {
    sim.resetCounts();
    await fetch(`${sim.url}/zones/fcgi/feed.js?bounds=10,0,0,10`);
    await fetch(`${sim.url}/nothing`);
    expect(sim.requestCount()).toBe(2);
    expect(sim.requestCounts()).toMatchObject({ feed: 1, other: 1 });
  });
});
