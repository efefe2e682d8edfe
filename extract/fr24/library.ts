/**
 * flightradarapi, the production client for FR24, and the one switch this project adds to it: FR24_BASE_URL.
 *
 * The library keeps every FR24 URL in one module-level object (`FlightRadarAPI/core.js`, "all URLs, headers
 * and static data used by the package") and reads it at call time. Its HTTP layer passes its own undici
 * dispatcher on every request, so neither undici's global dispatcher nor a proxy can redirect it, and it
 * offers no option to inject one. Rewriting the URL fields of that Core object is therefore the least
 * invasive way to point the library at a local server: no fork, no patched file, the same request code,
 * headers, cookie session and parsers run. The rewrite keeps each URL's path and replaces only its origin
 * (www., data-cloud., data-live., api., cdn.flightradar24.com all become the one base URL), and is undone
 * when no run needs it any more.
 *
 * The override is process-wide, so two runs with different base URLs cannot overlap in one process; that is
 * checked, not assumed.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface Fr24Library {
  FlightRadar24API: new (options?: { timeout?: number }) => {
    getAirports(): Promise<Array<{ iata: unknown; icao: unknown; name: unknown; latitude: unknown; longitude: unknown; altitude: unknown; country: unknown }>>;
    getAirlines(): Promise<Array<{ Name: unknown; ICAO: unknown; IATA: unknown }>>;
    getZones(): Record<string, Fr24Zone>;
    getBounds(zone: Fr24Zone): string;
  };
  APIClient: new (options?: object) => {
    request(url: string, options?: object): Promise<{ content: unknown; statusCode: number; url: string }>;
    deleteCookie(name: string): void;
  };
  FlightTrackerConfig: new (data?: object) => Record<string, string>;
  CloudflareError: new (...args: never[]) => Error;
}

export interface Fr24Zone {
  tl_y: number;
  tl_x: number;
  br_y: number;
  br_x: number;
  subzones?: Record<string, Fr24Zone>;
}

type CoreObject = Record<string, unknown> & { realTimeFlightTrackerDataUrl: string; jsonHeaders: Record<string, string> };

export const fr24 = require('flightradarapi') as Fr24Library;
export const Core = require('flightradarapi/FlightRadarAPI/core.js') as CoreObject;

const FR24_ORIGIN = /^https:\/\/[a-z0-9-]+\.flightradar24\.com/;
const original = new Map<string, unknown>(Object.entries(Core).filter(([, v]) => typeof v === 'function' || (typeof v === 'string' && FR24_ORIGIN.test(v))));

let active: { baseUrl: string | undefined; users: number } = { baseUrl: undefined, users: 0 };

function apply(baseUrl: string | undefined): void {
  const base = baseUrl?.replace(/\/+$/, '');
  for (const [key, value] of original) {
    if (!base) Core[key] = value;
    else if (typeof value === 'string') Core[key] = value.replace(FR24_ORIGIN, base);
    else {
      const fn = value as (...args: unknown[]) => unknown;
      Core[key] = (...args: unknown[]) => {
        const url = fn(...args);
        return typeof url === 'string' ? url.replace(FR24_ORIGIN, base) : url;
      };
    }
  }
}

/**
 * Send every flightradarapi request to `baseUrl` (undefined: the real FR24 hosts) until the returned
 * release function is called.
 */
export function useFr24BaseUrl(baseUrl: string | undefined): () => void {
  if (baseUrl !== undefined && !/^https?:\/\/[^/]+/.test(baseUrl)) {
    throw new Error(`FR24_BASE_URL must be an http(s) URL such as http://127.0.0.1:8090, got '${baseUrl}'`);
  }
  if (active.users > 0 && active.baseUrl !== baseUrl) {
    throw new Error(
      `flightradarapi is already pointed at ${active.baseUrl ?? 'the real FR24 hosts'} by a run in progress; ` +
        `a second run with FR24_BASE_URL=${baseUrl ?? '(unset)'} cannot overlap it in the same process`,
    );
  }
  if (active.users === 0) apply(baseUrl);
  active = { baseUrl, users: active.users + 1 };
  let released = false;
  return () => {
    if (released) return;
    released = true;
    active = { ...active, users: active.users - 1 };
    if (active.users === 0) apply(undefined);
  };
}

/** The URL flightradarapi requests the live feed from (after any base-URL override). */
export const feedUrl = (): string => Core.realTimeFlightTrackerDataUrl;
