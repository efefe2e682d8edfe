/** What the FR24-compatible server answers, built from the world: feed.js, airports JSON, airlines HTML. */
import type { SimFlight, World } from './world.js';

export interface BoxQuery {
  north: number;
  south: number;
  west: number;
  east: number;
}

type Source = 'ads-b' | 'mlat' | 'faa' | 'flarm' | 'estimated' | 'satellite' | 'other';
const SOURCES: Source[] = ['ads-b', 'mlat', 'faa', 'flarm', 'estimated', 'satellite', 'other'];

export interface FeedAnswer {
  flights: SimFlight[];
  /** Flights in the box, before the cap. */
  inBox: number;
  visible: Record<Source, number>;
}

function sourceOf(record: unknown[]): Source {
  const radar = record[7];
  if (typeof radar !== 'string') return 'other';
  if (radar.startsWith('T-MLAT')) return 'mlat';
  if (radar.startsWith('T-SAT')) return 'satellite';
  if (radar.startsWith('F-')) return 'ads-b';
  return 'other';
}

/** Longitude interval test that accepts FR24-style boxes past ±180 or with west > east (across the antimeridian). */
function lonTest(west: number, east: number): (lon: number) => boolean {
  if (east - west >= 360) return () => true;
  const w = ((((west + 180) % 360) + 360) % 360) - 180;
  const span = east >= west ? east - west : east - west + 360;
  return (lon) => ((((lon - w) % 360) + 360) % 360) <= span + 1e-9;
}

/** The flights of a box in FR24's answer order, at most `cap` of them, plus the uncapped per-source counts. */
export function queryBox(world: World, box: BoxQuery | undefined, cap: number, order: SimFlight[] = world.flights): FeedAnswer {
  const visible = Object.fromEntries(SOURCES.map((s) => [s, 0])) as Record<Source, number>;
  const flights: SimFlight[] = [];
  const inLon = box ? lonTest(box.west, box.east) : () => true;
  let inBox = 0;
  for (const f of order) {
    if (box && (f.lat > box.north || f.lat < box.south || !inLon(f.lon))) continue;
    inBox++;
    visible[sourceOf(f.record)]++;
    if (flights.length < cap) flights.push(f);
  }
  return { flights, inBox, visible };
}

export function totalStats(world: World): Record<Source, number> {
  const total = Object.fromEntries(SOURCES.map((s) => [s, 0])) as Record<Source, number>;
  for (const f of world.flights) total[sourceOf(f.record)]++;
  return total;
}

/**
 * The feed.js body in FR24's key order: full_count (FR24 reports the number of flights it tracks
 * worldwide there, not the box's), version, one key per flight, then stats (total: worldwide,
 * visible: this box, uncapped).
 */
export function feedBody(fullCount: number, answer: Pick<FeedAnswer, 'flights' | 'visible'>, total: Record<Source, number>, records?: Map<string, unknown[]>): string {
  const parts = [`"full_count":${fullCount}`, '"version":4'];
  for (const f of answer.flights) parts.push(`${JSON.stringify(f.id)}:${JSON.stringify(records?.get(f.id) ?? f.record)}`);
  parts.push(`"stats":${JSON.stringify({ total, visible: answer.visible })}`);
  return `{${parts.join(',')}}`;
}

export function emptyVisible(): Record<Source, number> {
  return Object.fromEntries(SOURCES.map((s) => [s, 0])) as Record<Source, number>;
}

/** `/_json/airports.php`: every airport in one payload, as flightradarapi's parseAirportsJson reads it. */
export function airportsBody(world: Pick<World, 'airports'>, opts: { withoutCoordinates?: boolean } = {}): string {
  return JSON.stringify({
    version: 1,
    rows: world.airports.map((a) =>
      opts.withoutCoordinates
        ? { name: a.name, iata: a.iata, icao: a.icao, country: a.country }
        : { name: a.name, iata: a.iata, icao: a.icao, lat: a.lat, lon: a.lon, country: a.country, alt: a.alt }),
  });
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `/data/airlines`: the airlines table page (name link in a td.notranslate, codes as "IATA / ICAO", fleet size). */
export function airlinesBody(world: Pick<World, 'airlines'>): string {
  const rows = world.airlines.map((a, i) => {
    const slug = `${a.iata}-${a.icao}`.toLowerCase();
    return `<tr><td>${i + 1}</td><td class="notranslate"><a href="/data/airlines/${slug}" title="${escapeHtml(a.name)}">${escapeHtml(a.name)}</a></td>` +
      `<td><img src="/static/logo/${slug}.png" alt=""></td><td>${a.iata} / ${a.icao}</td><td>${20 + ((i * 37) % 400)} aircraft</td></tr>`;
  });
  return `<!DOCTYPE html><html><head><title>Airlines | Flightradar24</title></head><body><table id="tbl-datatable"><thead><tr><th>#</th><th>Airline</th><th></th><th>Codes</th><th>Fleet</th></tr></thead>` +
    `<tbody>${rows.join('\n')}</tbody></table></body></html>`;
}
