/** Bronze CSV: RFC 4180 quoting round-trips, every feed field lands in its column as received. */
import { describe, expect, it } from 'vitest';
import { BRONZE_COLUMNS, bronzeKey, csvLine, isoSeconds } from '../../contracts/index.js';
import { bronzeRow } from '../../extract/index.js';
import { parseCsv } from '../support/csv.js';

describe('bronze CSV', () => {
  it('round-trips fields with commas, quotes, CR, LF and both together', () => {
    const nasty = ['plain', 'a,b', 'say "hi"', 'line1\nline2', 'cr\rhere', '"", ,\r\n"', '', ' spaced ', 'ünïcødé ✈'];
    const text = csvLine(nasty) + csvLine(['x', 'y']);
    expect(parseCsv(text)).toEqual([nasty, ['x', 'y']]);
  });

  it('puts each feed field in its column, raw, plus id, derived airline_iata and snapshot_time', () => {
    const record = ['4CA2B1', 51.4706, -0.4619, 270, 35000, 450, '2000', 'F-EGLL1', 'A320', 'EI-DVM', 1795588631, 'DUB', 'LHR', 'FR123', 0, -64, 'RYR123', 0, 'RYR'];
    const [row] = parseCsv(bronzeRow('3a4f5b2c', record, '2026-11-25T07:00:00Z'));
    const byName = Object.fromEntries(BRONZE_COLUMNS.map((c, i) => [c, row![i]]));
    expect(byName).toEqual({
      id: '3a4f5b2c', icao_24bit: '4CA2B1', latitude: '51.4706', longitude: '-0.4619', heading: '270', altitude: '35000',
      ground_speed: '450', squawk: '2000', radar: 'F-EGLL1', aircraft_code: 'A320', registration: 'EI-DVM', time: '1795588631',
      origin_airport_iata: 'DUB', destination_airport_iata: 'LHR', number: 'FR123', airline_iata: 'FR', on_ground: '0',
      vertical_speed: '-64', callsign: 'RYR123', airline_icao: 'RYR', snapshot_time: '2026-11-25T07:00:00Z',
    });
  });

  it('keeps malformed records as they came: short arrays leave empty fields, odd types as JSON text', () => {
    const [short] = parseCsv(bronzeRow('1', ['ABC', 'N/A', null], 'T'));
    expect(short!.length).toBe(BRONZE_COLUMNS.length);
    expect(short!.slice(0, 5)).toEqual(['1', 'ABC', 'N/A', '', '']);
    const [odd] = parseCsv(bronzeRow('2', ['A', 1, 2, 3, 'FL350', { knots: 450 }, 7700, 'r', [1, 2], 'G-"Q"', 't', 'o', 'd', 'AB,"12"', 'yes', 0, 'ABC\n12', 0, 'X'], 'T'));
    expect(odd![5]).toBe('FL350');
    expect(odd![6]).toBe('{"knots":450}');
    expect(odd![7]).toBe('7700');
    expect(odd![9]).toBe('[1,2]');
    expect(odd![10]).toBe('G-"Q"');
    expect(odd![14]).toBe('AB,"12"');
    expect(odd![15]).toBe('AB');
    expect(odd![18]).toBe('ABC\n12');
    const [notArray] = parseCsv(bronzeRow('3', 'garbage', 'T'));
    expect(notArray).toEqual(['3', ...Array(BRONZE_COLUMNS.length - 2).fill(''), 'T']);
  });

  it('names the object after the snapshot time (UTC), as docs/SPEC.md §2 lays it out', () => {
    const t = new Date('2026-11-05T07:08:09.456Z');
    expect(bronzeKey(t)).toBe('bronze/flights/year=2026/month=11/day=05/hour=07/flights_20261105070809.csv');
    expect(isoSeconds(t)).toBe('2026-11-05T07:08:09Z');
  });
});
